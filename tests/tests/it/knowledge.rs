//! knowledge tests

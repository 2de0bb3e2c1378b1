//! mocks tests

//! placeholder until generated

//! Small pieces several steps share.

pub mod text_input;
pub mod wrap;

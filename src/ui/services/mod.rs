//! What the wizard talks to outside itself: the system clipboard. Async functions with typed
//! answers; they know nothing of the wizard's messages.

pub mod background;
pub mod clipboard;
pub mod hidden_input;
pub mod osc52;
pub mod tmux;

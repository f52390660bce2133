//! What the wizard talks to outside itself: the system clipboard, the terminal's own
//! clipboard and background, tmux, and the terminal going away. Async functions with typed
//! answers; they know nothing of the wizard's messages.

pub mod background;
pub mod clipboard;
pub mod hangup;
pub mod hidden_input;
pub mod osc52;
pub mod tmux;

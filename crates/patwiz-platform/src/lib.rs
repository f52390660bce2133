//! What differs between the operating systems patwiz runs on, one adapter per concern. Each
//! module is the whole of its concern: one portable function signature, a Unix body and a
//! Windows body side by side (macOS is Unix here: its differences from Linux are named where
//! they are). Nothing else in patwiz names an operating system's call.
//!
//! - [`private`]: files and folders only their owner can read (mode 0600/0700 on Unix, a
//!   protected access-control list granting only the current user on Windows).
//! - [`no_follow`]: opening a file to write without ever following a symbolic link (or, on
//!   Windows, any reparse point) planted where it should be, and without blocking on a FIFO.
//! - [`replace`]: replacing a file whole and atomically, even while another process reads it.
//! - [`process`]: whether another process is still running; this process's own hardening
//!   (no core dumps, quiet broken pipes).
//! - [`child`]: handing the terminal to a command (`patwiz exec`): replaced by it on Unix, its
//!   parent on Windows, which has no `exec`.
//!
//! The only crate of patwiz allowed `unsafe` (the system calls), each block with its reason.

pub mod child;
pub mod no_follow;
pub mod private;
pub mod process;
pub mod replace;

#[cfg(windows)]
mod windows;

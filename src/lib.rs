//! ganscope: watch a generative adversarial network learn a 1-D distribution, with the
//! exact quantities of Goodfellow et al. (2014) computed live.

pub mod app;
pub mod jobs;
pub mod scene;
pub mod sim;

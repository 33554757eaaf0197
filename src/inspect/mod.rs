//! The channel inspector's headless half: open a results folder with its
//! statistics and check that nothing it was made from has changed
//! ([`Results`]), find a model and layer, list a channel's top windows with
//! where they come from, colour a channel's maps over the frames the model
//! sees ([`render`]), and write a channel's files ([`write`]) for
//! `stadyn channels`.

mod render;
mod results;
mod write;

pub use render::scale_for;
pub use render::{Range, colormap, overlay_frames, strip, write_gif};
pub use results::{ModelSelector, Results, changed_files, layer_of};
pub use write::{ChannelFiles, LoadModel, TopRow, channel_dir_name, pooled_check};

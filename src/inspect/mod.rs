//! The channel inspector's headless half: open a results folder with its
//! statistics and check that nothing it was made from has changed
//! ([`Results`]), find a model and layer, list a channel's top windows with
//! where they come from, colour a channel's maps over the frames the model
//! sees ([`render`]) or as moving pictures ([`animate`]), and write a channel's files ([`write`]) for
//! `stadyn channels`.

mod animate;
mod render;
mod results;
mod selection;
mod write;

pub use animate::{blend_rgba, side_by_side, write_mp4};
pub use render::scale_for;
pub use render::{Range, colormap, overlay_frames, strip, write_gif};
pub use results::{ModelSelector, Results, changed_files, layer_of};
pub use selection::{ChannelSelection, SELECTION_SCHEMA, SelectedChannel};
pub use write::{
    ChannelFiles, LoadModel, TopRow, channel_dir_name, pooled_check, selection_file_name,
};

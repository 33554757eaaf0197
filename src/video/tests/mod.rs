//! Tests of the video room.

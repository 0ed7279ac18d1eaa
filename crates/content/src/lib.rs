//! Getting content into Kawaraban: the Markdown importer, image processing
//! and the demo network.

pub mod demo;
pub mod external;
pub mod import;
pub mod media;
pub mod synthetic;

pub use import::{ImportOptions, ImportReport, Importer};
pub use media::MediaDir;

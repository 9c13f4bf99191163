//! The science: networks, optimisers, losses, distributions, Algorithm 1 and the exact
//! 1-D analysis. Headless: nothing here knows about a user interface.

pub mod activation;
pub mod alone;
pub mod analysis;
pub mod breakpoint;
pub mod check;
pub mod compare;
pub mod coverage;
pub mod distribution;
pub mod float;
pub mod forces;
pub mod ideal;
pub mod kernels;
pub mod lesson;
pub mod loss;
pub mod mlp;
pub mod model;
pub mod optim;
pub mod oracle;
pub mod pace;
pub mod readout;
pub mod record;
pub mod schema;
pub mod settings;
pub mod simd;
pub mod story;
pub mod substep;
pub mod timeline;
pub mod trainer;
pub mod view;

pub use activation::Activation;
pub use alone::GObjective;
pub use analysis::{Analysis, AnalysisOptions};
pub use breakpoint::{Breakpoint, Breakpoints, Fired};
pub use coverage::ModeMass;
pub use distribution::{Noise, Target};
pub use forces::{Forces, MeanPush, forces};
pub use ideal::IdealView;
pub use loss::LossKind;
pub use model::GanModel;
pub use optim::OptimizerKind;
pub use oracle::OracleD;
pub use settings::{SettingError, Settings};
pub use substep::{SlowIteration, SubStep};
pub use trainer::{Divergence, Player, Trainer};

//! `--variance`: the variance convention of the linearisation.

use clap::ValueEnum;
use dsrf::rainbow::VarianceConvention;

/// The variance convention flag shared by the network commands.
#[derive(Clone, Copy, ValueEnum, Default)]
pub enum Variance {
    /// One averaged variance per layer (the paper).
    #[default]
    Averaged,
    /// One variance per neuron.
    PerNeuron,
}

impl Variance {
    pub fn convention(self) -> VarianceConvention {
        match self {
            Variance::Averaged => VarianceConvention::Averaged,
            Variance::PerNeuron => VarianceConvention::PerNeuron,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Variance::Averaged => "averaged",
            Variance::PerNeuron => "per-neuron",
        }
    }
}

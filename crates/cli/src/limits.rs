//! `--max-memory` and `--max-work`: the budget every command checks before it
//! allocates or starts long work (see `dsrf::budget`).

use clap::Args;
use dsrf::budget::{Budget, parse_bytes};

/// Resource limits shared by the commands.
#[derive(Args, Clone)]
pub struct Limits {
    /// Largest memory one request may need, e.g. 16G or 512M (default: three quarters
    /// of the physical memory). Larger requests are refused before anything is
    /// allocated, with the bytes they would need.
    #[arg(long, value_name = "SIZE", value_parser = parse_bytes)]
    max_memory: Option<u64>,
    /// Largest estimated work of a simulation, in 10⁹ floating-point operations
    /// (default 10⁶, about a day at 10 GFLOP/s).
    #[arg(long, value_name = "GFLOP")]
    max_work: Option<f64>,
}

impl Limits {
    /// The budget these flags describe.
    pub fn budget(&self) -> Budget {
        let mut budget = Budget::default();
        if let Some(bytes) = self.max_memory {
            budget.memory_bytes = bytes;
        }
        if let Some(gflop) = self.max_work {
            budget.work_flops = gflop * 1e9;
        }
        budget.memory_hint = "; raise the limit with --max-memory".into();
        budget.work_hint = "; raise the limit with --max-work (in GFLOP)".into();
        budget
    }
}

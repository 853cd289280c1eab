//! Resource limits checked *before* work starts.
//!
//! A network width of 10⁹ or a 10¹⁰ × 10¹⁰ `.npy` header is a valid-looking request
//! that would abort the process (allocation failure) or run until killed. Every facade
//! entry point that allocates in proportion to its input first estimates the bytes (and,
//! for simulations, the floating-point operations) it needs and refuses, naming the
//! field, when the estimate exceeds the [`Budget`]. Estimates are upper bounds of the
//! dominant terms, computed in `u128`/`f64` so that they cannot overflow themselves.

use crate::{DsrfError, Result};

/// Limits on memory and arithmetic for one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Largest number of bytes a request may allocate.
    pub memory_bytes: u64,
    /// Largest number of floating-point operations a request may take.
    pub work_flops: f64,
    /// Appended to a refusal, e.g. "; raise it with --max-memory" (empty: nothing).
    pub memory_hint: String,
    /// Appended to a refusal of work.
    pub work_hint: String,
}

/// Used when the physical memory cannot be read.
const FALLBACK_MEMORY: u64 = 8 << 30;

/// About a day of work at 10 GFLOP/s.
pub const DEFAULT_WORK_FLOPS: f64 = 1e15;

impl Default for Budget {
    /// Three quarters of the physical memory (`MemTotal` of /proc/meminfo; 8 GiB where
    /// it cannot be read) and [`DEFAULT_WORK_FLOPS`].
    fn default() -> Self {
        let memory = physical_memory().map_or(FALLBACK_MEMORY, |m| m / 4 * 3);
        Budget {
            memory_bytes: memory,
            work_flops: DEFAULT_WORK_FLOPS,
            memory_hint: String::new(),
            work_hint: String::new(),
        }
    }
}

impl Budget {
    /// No limit (tests, trusted callers).
    pub fn unlimited() -> Self {
        Budget {
            memory_bytes: u64::MAX,
            work_flops: f64::INFINITY,
            memory_hint: String::new(),
            work_hint: String::new(),
        }
    }

    /// Refuses `bytes` beyond the memory limit.
    pub fn check_memory(&self, what: &str, bytes: u128) -> Result<()> {
        if bytes > self.memory_bytes as u128 {
            return Err(DsrfError::Memory {
                what: what.to_string(),
                bytes,
                limit: self.memory_bytes,
                hint: self.memory_hint.clone(),
            });
        }
        Ok(())
    }

    /// Refuses `flops` beyond the work limit.
    pub fn check_work(&self, what: &str, flops: f64) -> Result<()> {
        if flops.is_nan() || flops > self.work_flops {
            return Err(DsrfError::Work {
                what: what.to_string(),
                flops,
                limit: self.work_flops,
                hint: self.work_hint.clone(),
            });
        }
        Ok(())
    }
}

/// Bytes of `entries` f64 values.
pub fn f64_bytes(entries: u128) -> u128 {
    entries.saturating_mul(8)
}

/// `MemTotal` in bytes, where the system says.
fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Parses a size such as `16G`, `512M`, `2.5GiB` or `1000000` (bytes).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 16G, 512M, 1000000)"))?;
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{text}` (use K, M, G, T)"
            ));
        }
    };
    let bytes = value * scale;
    if !(bytes.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!("`{text}` is not a usable size"));
    }
    Ok(bytes as u64)
}

/// A byte count for a message: `1.5 GiB (1610612736 bytes)`.
pub fn human_bytes(bytes: u128) -> String {
    const UNITS: [&str; 7] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {} ({bytes} bytes)", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!(parse_bytes("16G"), Ok(16 << 30));
        assert_eq!(parse_bytes("512m"), Ok(512 << 20));
        assert_eq!(parse_bytes("1000"), Ok(1000));
        assert_eq!(parse_bytes("1.5KiB"), Ok(1536));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("3X").is_err());
        assert!(parse_bytes("0").is_err());
        assert_eq!(human_bytes(12), "12 bytes");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB (3221225472 bytes)");
    }

    #[test]
    fn refusals_name_the_request() {
        let budget = Budget {
            memory_bytes: 1000,
            work_flops: 1e3,
            memory_hint: "; raise it with --max-memory".into(),
            work_hint: String::new(),
        };
        assert!(budget.check_memory("x", 1000).is_ok());
        let e = budget
            .check_memory("field `rows`", 8000)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("field `rows`") && e.contains("8000 bytes") && e.contains("--max-memory"),
            "{e}"
        );
        assert!(budget.check_work("simulation", 1e4).is_err());
        assert!(budget.check_work("simulation", f64::NAN).is_err());
    }
}

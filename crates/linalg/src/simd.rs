//! Which SIMD build of a hot elementwise loop runs.
//!
//! The workspace compiles for baseline x86-64, where a loop of f64 arithmetic runs two
//! lanes wide. A few elementwise loops sit right after faer's products and would
//! otherwise cost as much as they do (the branch-free tanh of dsrf-rainbow's forward
//! pass, the Adam update of dsrf-sim's training), so those are compiled again with
//! `#[target_feature]` for each [`SimdLevel`] and the widest one the CPU has is chosen
//! at run time.
//!
//! Every build runs the same IEEE operations in the same order: Rust never contracts
//! a·b + c into a fused multiply-add, and none of these loops sums in a different
//! order when vectorised. So the builds give the same bits, and results do not depend
//! on the machine's vector width. Each such loop has a test comparing every level the
//! CPU offers ([`SimdLevel::available`]) with the portable build, bit for bit.

/// A vector-instruction level a kernel can be built for, narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SimdLevel {
    /// The baseline build (SSE2 on x86-64; whatever the target offers elsewhere).
    Portable,
    /// AVX2: four f64 or eight f32 lanes.
    Avx2,
    /// AVX-512 (the foundation set): eight f64 or sixteen f32 lanes. On the 2-core
    /// AMD Zen 4 VM of 2026-12-03 the branch-free tanh ran 2.1× (f64) and 2.3× (f32)
    /// faster than its AVX2 build.
    Avx512,
}

impl SimdLevel {
    /// The widest level this CPU supports (std caches the feature check).
    pub fn detected() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Self::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Self::Avx2;
            }
        }
        Self::Portable
    }

    /// Every level this CPU can run, narrowest first: what a test of a dispatched
    /// kernel compares against [`SimdLevel::Portable`].
    pub fn available() -> Vec<Self> {
        let widest = Self::detected();
        [Self::Portable, Self::Avx2, Self::Avx512]
            .into_iter()
            .filter(|level| *level <= widest)
            .collect()
    }

    /// `self`, or the widest level the CPU has if `self` is wider: a kernel given a
    /// level it cannot run falls back instead of executing unsupported instructions.
    pub fn supported(self) -> Self {
        self.min(Self::detected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_capped_by_the_cpu() {
        let available = SimdLevel::available();
        assert_eq!(available.first(), Some(&SimdLevel::Portable));
        assert_eq!(available.last(), Some(&SimdLevel::detected()));
        assert!(available.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(SimdLevel::Avx512.supported(), SimdLevel::detected());
        assert_eq!(SimdLevel::Portable.supported(), SimdLevel::Portable);
    }
}

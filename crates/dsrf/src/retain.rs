//! A global allocator for the binaries that keeps freed *large* blocks for reuse.
//!
//! Why: the pipeline allocates the same big matrices over and over — the emp_cov
//! features of every training snapshot (2000 × 28 000 f64, 448 MB, twice per snapshot
//! for MNIST), subset buffers, Gram matrices. glibc's `malloc` serves every block above
//! 32 MiB (the ceiling of its mmap threshold) with a fresh `mmap` and returns it with
//! `munmap`, so each of those matrices is first-touched page by page again. On the
//! 2-core development VM those first touches ran at ≈ 0.6 GB/s of kernel time: 31 s
//! of `art_det`'s 316 s of CPU time, 143 s of the whole gallery's 2025 s. (The cost is
//! per byte, not per fault: glibc's `hugetlb` tunable cut the faults 13× and the
//! kernel time not at all — the VM's free-page reporting appears to hand freed pages
//! back to the host, which supplies them afresh on the next touch.) Keeping the freed
//! blocks and handing them out again for requests of the same size removes that cost
//! and changes where memory comes from, not what is done with it: no code here reads
//! memory it has not written, so no computed bit changes (checked: the figures'
//! snapshot tests run under this allocator with a 64 KiB threshold, so that their
//! small matrices are reused too, and a whole gallery regenerated with it gave the
//! same CSVs). `art_det` alone: 183 s → 153–164 s, kernel time 31 → 11–14 s
//! (what is left is the first touch of data that is made once).
//!
//! The price is memory: up to [`Retaining::capacity`] bytes of freed blocks stay
//! mapped, outside what [`crate::budget`] accounts for, so a program's peak can exceed
//! the one it would have by at most that much.
//!
//! Rules (in [`Retaining`]):
//! * only blocks of at least [`Retaining::threshold`] bytes are kept; smaller ones go
//!   straight to the system allocator (glibc maps those afresh too while they are above
//!   its adaptive mmap threshold, but it raises that threshold, up to 32 MiB, to the
//!   size of mapped blocks as they are freed, and then serves them from its arenas);
//! * a request is served from the kept blocks only on an exact match of size and
//!   alignment, so every block is freed, if at all, with the layout it was made with;
//! * at most [`Retaining::capacity`] bytes are kept; a block that would exceed it
//!   makes room by freeing the oldest kept blocks (the working set moves between
//!   figures), and a block larger than the capacity is freed at once;
//! * a reused block requested zeroed is cleared with `write_bytes` (one pass at memory
//!   speed, instead of the faults of fresh zero pages);
//! * when the system allocator fails, every kept block is freed and the request tried
//!   once more.
//!
//! A binary opts in with
//! `#[global_allocator] static ALLOCATOR: dsrf::retain::Retaining = dsrf::retain::Retaining::standard();`
//! (the CLI and the xtask do). The library itself never installs it: memory that a
//! long-lived host process (Python) sees kept after a call would surprise it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;

/// How many freed blocks can be kept at once.
const SLOTS: usize = 32;

/// One kept block: its address (as an integer, so the list is `Send`), size and
/// alignment, and when it was kept (for freeing the oldest first).
#[derive(Clone, Copy)]
struct Kept {
    address: usize,
    size: usize,
    align: usize,
    age: u64,
}

/// The kept blocks.
struct Store {
    slots: [Option<Kept>; SLOTS],
    bytes: usize,
    clock: u64,
}

/// A [`GlobalAlloc`] over [`System`] that keeps freed large blocks for reuse (see the
/// module docs).
pub struct Retaining {
    threshold: usize,
    capacity: usize,
    store: Mutex<Store>,
}

impl Retaining {
    /// Keeps blocks of 16 MiB and more, up to 2 GiB in all: room for the four
    /// 448–480 MB feature matrices two concurrent snapshots free and allocate again.
    pub const fn standard() -> Self {
        Retaining::new(16 << 20, 2 << 30)
    }

    /// Keeps freed blocks of at least `threshold` bytes (at least 1), up to `capacity`
    /// bytes in all.
    pub const fn new(threshold: usize, capacity: usize) -> Self {
        Retaining {
            threshold: if threshold == 0 { 1 } else { threshold },
            capacity,
            store: Mutex::new(Store {
                slots: [None; SLOTS],
                bytes: 0,
                clock: 0,
            }),
        }
    }

    /// The smallest block size that is kept.
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// The most bytes kept at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Bytes kept now (freed by the program, not yet handed out again).
    pub fn kept_bytes(&self) -> usize {
        self.store.lock().map_or(0, |s| s.bytes)
    }

    /// A kept block of exactly `layout`, removed from the store.
    fn take(&self, layout: Layout) -> Option<*mut u8> {
        let mut store = self.store.lock().ok()?;
        let slot = store.slots.iter().position(|k| {
            k.is_some_and(|k| k.size == layout.size() && k.align == layout.align())
        })?;
        let kept = store.slots[slot].take()?;
        store.bytes -= kept.size;
        Some(kept.address as *mut u8)
    }

    /// Keeps the block, evicting the oldest kept ones to make room; `false` when it
    /// cannot be kept (larger than the capacity, or the store is unavailable) and must
    /// be freed. Evicted blocks are freed after the lock is released, so that a large
    /// `munmap` does not hold up other threads' allocations.
    fn keep(&self, ptr: *mut u8, layout: Layout) -> bool {
        if layout.size() > self.capacity {
            return false;
        }
        let mut evicted = [None; SLOTS];
        let kept = match self.store.lock() {
            Ok(mut store) => {
                store.insert(ptr, layout, self.capacity, &mut evicted);
                true
            }
            Err(_) => false,
        };
        free_all(&evicted);
        kept
    }

    /// Frees every kept block (after an allocation failed: the memory may be needed).
    fn release(&self) {
        let mut all = [None; SLOTS];
        if let Ok(mut store) = self.store.lock() {
            all = std::mem::replace(&mut store.slots, [None; SLOTS]);
            store.bytes = 0;
        }
        free_all(&all);
    }

    /// A block from `System` by `make`; if that fails, once more after freeing
    /// every kept block.
    fn fresh(&self, make: impl Fn() -> *mut u8) -> *mut u8 {
        let ptr = make();
        if !ptr.is_null() || self.kept_bytes() == 0 {
            return ptr;
        }
        self.release();
        make()
    }
}

impl Store {
    /// Adds the block, first moving the oldest blocks into `evicted` until it fits
    /// under `capacity` (≥ its size) and a slot is free.
    fn insert(
        &mut self,
        ptr: *mut u8,
        layout: Layout,
        capacity: usize,
        evicted: &mut [Option<Kept>; SLOTS],
    ) {
        let mut out = 0;
        // bytes ≤ capacity and size ≤ capacity, so capacity − size cannot underflow.
        while self.bytes > capacity - layout.size() || self.slots.iter().all(Option::is_some) {
            let (i, k) = self
                .slots
                .iter()
                .enumerate()
                .filter_map(|(i, k)| k.map(|k| (i, k)))
                .min_by_key(|(_, k)| k.age)
                .expect("the store is over capacity or full, so not empty");
            self.slots[i] = None;
            self.bytes -= k.size;
            evicted[out] = Some(k);
            out += 1;
        }
        self.clock += 1;
        let free = self
            .slots
            .iter()
            .position(Option::is_none)
            .expect("the loop above left a free slot");
        self.slots[free] = Some(Kept {
            address: ptr as usize,
            size: layout.size(),
            align: layout.align(),
            age: self.clock,
        });
        self.bytes += layout.size();
    }
}

/// Returns blocks taken out of the store to `System`.
fn free_all(blocks: &[Option<Kept>]) {
    for k in blocks.iter().flatten() {
        // SAFETY: a kept block came from `System` with exactly this size and alignment
        // and, taken out of the store, is owned by nobody else.
        unsafe {
            System.dealloc(
                k.address as *mut u8,
                Layout::from_size_align_unchecked(k.size, k.align),
            )
        };
    }
}

impl Drop for Retaining {
    /// Frees the kept blocks (a global allocator is never dropped; a local one is).
    fn drop(&mut self) {
        self.release();
    }
}

// SAFETY: every block handed out is either fresh from `System` or a block `System`
// made with exactly the requested layout and that the program has freed (so nobody
// else uses it); blocks are returned to `System`, if at all, with the layout they were
// made with. Nothing is allocated while the store's lock is held, and nothing in here
// panics (the `expect`s state loop invariants), so the allocator never unwinds.
unsafe impl GlobalAlloc for Retaining {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() < self.threshold {
            // SAFETY: forwarded with the caller's (non-zero-size) layout.
            return unsafe { System.alloc(layout) };
        }
        if let Some(ptr) = self.take(layout) {
            return ptr;
        }
        // SAFETY: as above.
        self.fresh(|| unsafe { System.alloc(layout) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() < self.threshold {
            // SAFETY: forwarded with the caller's layout.
            return unsafe { System.alloc_zeroed(layout) };
        }
        if let Some(ptr) = self.take(layout) {
            // SAFETY: the block is `layout.size()` bytes, owned by the caller now.
            unsafe { ptr.write_bytes(0, layout.size()) };
            return ptr;
        }
        // SAFETY: as above.
        self.fresh(|| unsafe { System.alloc_zeroed(layout) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() >= self.threshold && self.keep(ptr, layout) {
            return;
        }
        // SAFETY: `ptr` came from `System` (directly or through the store) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Resizing is left to `System` (which can move a mapped block without copying
        // it when the alignment is malloc's own); the result is a block of `System`
        // with the new layout, which `dealloc` may keep later. Rare for large blocks
        // here: matrices are allocated at their size.
        // SAFETY: forwarded; `ptr` came from `System` with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: usize = 1 << 20;

    fn layout(size: usize) -> Layout {
        Layout::from_size_align(size, 64).unwrap()
    }

    #[test]
    fn a_freed_large_block_is_handed_out_again_for_the_same_layout_only() {
        let a = Retaining::new(MB, 16 * MB);
        unsafe {
            let p = a.alloc(layout(2 * MB));
            assert!(!p.is_null());
            a.dealloc(p, layout(2 * MB));
            assert_eq!(a.kept_bytes(), 2 * MB);
            // Another size or alignment is not served from it.
            let q = a.alloc(layout(3 * MB));
            let r = a.alloc(Layout::from_size_align(2 * MB, 4096).unwrap());
            assert_ne!(q, p);
            assert_ne!(r, p);
            assert_eq!(a.kept_bytes(), 2 * MB);
            let s = a.alloc(layout(2 * MB));
            assert_eq!(s, p);
            assert_eq!(a.kept_bytes(), 0);
            a.dealloc(q, layout(3 * MB));
            a.dealloc(r, Layout::from_size_align(2 * MB, 4096).unwrap());
            a.dealloc(s, layout(2 * MB));
            assert_eq!(a.kept_bytes(), 7 * MB);
        }
    }

    #[test]
    fn a_reused_block_asked_for_zeroed_is_zeroed() {
        let a = Retaining::new(MB, 16 * MB);
        unsafe {
            let p = a.alloc(layout(MB));
            p.write_bytes(0xAB, MB);
            a.dealloc(p, layout(MB));
            let q = a.alloc_zeroed(layout(MB));
            assert_eq!(q, p);
            assert!(std::slice::from_raw_parts(q, MB).iter().all(|&b| b == 0));
            a.dealloc(q, layout(MB));
        }
    }

    #[test]
    fn small_blocks_are_not_kept_and_the_capacity_frees_the_oldest_first() {
        let a = Retaining::new(MB, 5 * MB);
        unsafe {
            let small = a.alloc(layout(1000));
            a.dealloc(small, layout(1000));
            assert_eq!(a.kept_bytes(), 0);
            let (p, q, r) = (
                a.alloc(layout(2 * MB)),
                a.alloc(layout(2 * MB + 64)),
                a.alloc(layout(2 * MB + 128)),
            );
            a.dealloc(p, layout(2 * MB));
            a.dealloc(q, layout(2 * MB + 64));
            assert_eq!(a.kept_bytes(), 4 * MB + 64);
            // r does not fit beside both: the oldest (p) is freed.
            a.dealloc(r, layout(2 * MB + 128));
            assert_eq!(a.kept_bytes(), 4 * MB + 192);
            assert_eq!(a.alloc(layout(2 * MB + 64)), q);
            assert_eq!(a.alloc(layout(2 * MB + 128)), r);
            a.dealloc(q, layout(2 * MB + 64));
            a.dealloc(r, layout(2 * MB + 128));
            // Larger than the whole capacity: freed at once.
            let big = a.alloc(layout(6 * MB));
            a.dealloc(big, layout(6 * MB));
            assert_eq!(a.kept_bytes(), 4 * MB + 192);
        }
    }

    #[test]
    fn a_failed_allocation_frees_the_kept_blocks_first() {
        let a = Retaining::new(MB, 16 * MB);
        unsafe {
            let p = a.alloc(layout(2 * MB));
            a.dealloc(p, layout(2 * MB));
            assert_eq!(a.kept_bytes(), 2 * MB);
            // No system can map 2⁶² bytes: the store is emptied, and the request fails.
            assert!(a.alloc(layout(1 << 62)).is_null());
            assert_eq!(a.kept_bytes(), 0);
        }
    }

    #[test]
    fn more_blocks_than_slots_free_the_oldest() {
        let a = Retaining::new(MB, 1 << 30);
        unsafe {
            let blocks: Vec<(*mut u8, Layout)> = (0..SLOTS + 3)
                .map(|i| {
                    let l = layout(MB + 64 * i);
                    (a.alloc(l), l)
                })
                .collect();
            for &(p, l) in &blocks {
                a.dealloc(p, l);
            }
            let kept: usize = blocks[3..].iter().map(|(_, l)| l.size()).sum();
            assert_eq!(a.kept_bytes(), kept);
            // The first three were freed to make room; the rest come back.
            for &(p, l) in &blocks[3..] {
                assert_eq!(a.alloc(l), p);
                a.dealloc(p, l);
            }
        }
    }
}

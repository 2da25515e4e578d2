//! Latencies recorded by many tasks at once — one atomic add per sample, no lock — and read
//! back as percentiles, to within 1.6% from a microsecond to hours. (A thousand tablets' tasks
//! record into one of these; `hdrhistogram` would need a recorder, a whole histogram, per task.)
//! Each recording thread adds to a shard of its own, so that the runtime's threads never take
//! a bucket's line from each other; a read adds the shards up.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

/// Values below 2^SUB_BITS µs have a bucket each; above, each power of two is cut in 64.
const SUB_BITS: u32 = 7;
const SUB: u64 = 1 << SUB_BITS;
const HALF: u64 = SUB / 2;
const BUCKETS: usize = (SUB + (64 - SUB_BITS as u64) * HALF) as usize;

/// Shards of buckets: more than the bench's runtime has threads.
const SHARDS: usize = 4;

/// The samples' count is not kept beside the buckets: it is their sum, added up when read. A
/// count of its own was one more atomic add per sample on a line every recording thread shares
/// (the stall part records two million samples a second from two threads).
pub struct Histogram {
    /// `SHARDS` runs of `BUCKETS` counts.
    counts: Box<[AtomicU64]>,
    max_us: AtomicU64,
}

/// The shard the calling thread records into.
fn shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Relaxed) % SHARDS;
    }
    SHARD.with(|s| *s)
}

impl Default for Histogram {
    fn default() -> Histogram {
        Histogram {
            counts: (0..SHARDS * BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            max_us: AtomicU64::new(0),
        }
    }
}

impl Histogram {
    pub fn record(&self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.counts[shard() * BUCKETS + index(us)].fetch_add(1, Relaxed);
        // Read first: the maximum seldom moves, and a read leaves the line shared.
        if us > self.max_us.load(Relaxed) {
            self.max_us.fetch_max(us, Relaxed);
        }
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Relaxed)).sum()
    }

    /// How many samples fell in bucket `i`, over the shards.
    fn in_bucket(&self, i: usize) -> u64 {
        (0..SHARDS)
            .map(|s| self.counts[s * BUCKETS + i].load(Relaxed))
            .sum()
    }

    /// The value below which a share `q` (0.99) of the samples fall, in ms; 0 with none.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return 0.0;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for i in 0..BUCKETS {
            seen += self.in_bucket(i);
            if seen >= rank {
                let max = self.max_us.load(Relaxed);
                return middle(i).min(max) as f64 / 1000.0;
            }
        }
        self.max_ms()
    }

    pub fn max_ms(&self) -> f64 {
        self.max_us.load(Relaxed) as f64 / 1000.0
    }

    /// `n=… p50 … p99 … p99.9 … max …` in ms, for a person.
    pub fn line(&self) -> String {
        format!(
            "n={:<8} p50 {:>8.2} ms  p99 {:>8.2} ms  p99.9 {:>8.2} ms  max {:>8.2} ms",
            self.count(),
            self.quantile_ms(0.5),
            self.quantile_ms(0.99),
            self.quantile_ms(0.999),
            self.max_ms()
        )
    }

    /// `{prefix}_p50_ms=… {prefix}_p99_ms=… {prefix}_p999_ms=… {prefix}_max_ms=…` for a RESULT line.
    pub fn fields(&self, prefix: &str) -> String {
        format!(
            "{prefix}_p50_ms={:.2} {prefix}_p99_ms={:.2} {prefix}_p999_ms={:.2} {prefix}_max_ms={:.2}",
            self.quantile_ms(0.5),
            self.quantile_ms(0.99),
            self.quantile_ms(0.999),
            self.max_ms()
        )
    }
}

fn index(us: u64) -> usize {
    let bits = 64 - us.leading_zeros();
    if bits <= SUB_BITS {
        return us as usize;
    }
    let shift = bits - SUB_BITS;
    let top = us >> shift;
    (SUB + (shift as u64 - 1) * HALF + (top - HALF)) as usize
}

/// The middle of bucket `i`, in µs.
fn middle(i: usize) -> u64 {
    let i = i as u64;
    if i < SUB {
        return i;
    }
    let shift = (i - SUB) / HALF + 1;
    let top = (i - SUB) % HALF + HALF;
    (top << shift) + (1u64 << shift) / 2
}

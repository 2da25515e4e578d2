//! The drill's own random numbers: a small seeded generator (xoshiro256**, seeded through
//! SplitMix64), so that the same seed plans the same day on every machine and with every
//! version of the dependencies. Nothing here reads a clock.

/// A seeded generator.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

/// SplitMix64: spreads one number into a well-mixed one (also used to derive keyed draws).
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A number drawn from `seed` and a path of keys: the same keys always give the same number,
/// whatever was drawn before (so a call's answer time does not depend on the order calls come in).
pub fn keyed(seed: u64, keys: &[u64]) -> u64 {
    keys.iter().fold(mix(seed), |h, k| mix(h ^ mix(*k)))
}

/// A keyed draw as a uniform number in (0, 1).
pub fn keyed_unit(seed: u64, keys: &[u64]) -> f64 {
    unit(keyed(seed, keys))
}

/// A keyed draw from the standard normal distribution.
pub fn keyed_normal(seed: u64, keys: &[u64]) -> f64 {
    let a = unit(keyed(seed, keys));
    let b = unit(mix(keyed(seed, keys) ^ 0x5DEE_CE66));
    box_muller(a, b)
}

fn unit(x: u64) -> f64 {
    // 53 random bits, never exactly 0 or 1.
    ((x >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

fn box_muller(a: f64, b: f64) -> f64 {
    (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            mix(z.wrapping_sub(0x9E37_79B9_7F4A_7C15))
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in (0, 1).
    pub fn unit(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in [lo, hi).
    pub fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// A whole number in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn by weight (weights ≥ 0, not all 0).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f64 {
        let (a, b) = (self.unit(), self.unit());
        box_muller(a, b)
    }

    /// Log-normal with this median and spread (σ of the logarithm).
    pub fn lognormal(&mut self, median: f64, spread: f64) -> f64 {
        median * (spread * self.normal()).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_numbers() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        let mut c = Rng::new(8);
        assert_ne!(a[0], c.next_u64());
        assert_eq!(keyed(1, &[2, 3]), keyed(1, &[2, 3]));
        assert_ne!(keyed(1, &[2, 3]), keyed(1, &[3, 2]));
    }

    #[test]
    fn draws_have_the_shape_asked_for() {
        let mut r = Rng::new(42);
        let n = 20_000;
        let mean = (0..n).map(|_| r.normal()).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.05, "{mean}");
        let mut v: Vec<f64> = (0..n).map(|_| r.lognormal(3.0, 0.5)).collect();
        v.sort_by(f64::total_cmp);
        let median = v[n / 2];
        assert!((median - 3.0).abs() < 0.15, "{median}");
        let counts = (0..n).fold([0usize; 3], |mut c, _| {
            c[r.weighted(&[1.0, 0.0, 3.0])] += 1;
            c
        });
        assert_eq!(counts[1], 0);
        assert!((counts[2] as f64 / n as f64 - 0.75).abs() < 0.02);
        for _ in 0..1000 {
            let u = r.unit();
            assert!(u > 0.0 && u < 1.0);
            assert!(r.below(3) < 3);
        }
    }
}

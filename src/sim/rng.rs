//! Every seeded random stream of the crate, and the draws the models share.
//!
//! A run's randomness is split into streams, one per purpose, each a PCG64 generator derived
//! from (seed, stream id) by [`rng_for`]: changing how one thing is drawn (the task vectors,
//! the network's initial weights, …) never shifts the numbers of another (the batches, the
//! data, …). The stream ids of all models are listed here, so that no two purposes share one.
//! PCG64 (rand_pcg) is portable: the same seed gives the same bits natively and in wasm.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

/// Geometry model: the task vectors t_i.
pub const TASK_VECTORS: u64 = 0x5eed_0001;
/// Geometry model: the mini-batches and the gradient noise.
pub const BATCHES: u64 = 0x5eed_0002;
/// Real networks: the data points (parity bits, Fig. 19 points).
pub const NET_DATA: u64 = 0x5eed_0101;
/// Real networks: which rows train (and which points belong to task 1 in Fig. 19).
pub const NET_SPLIT: u64 = 0x5eed_0102;
/// Real networks: the initial weights (and the embedding).
pub const NET_INIT: u64 = 0x5eed_0103;
/// Real networks: the per-step supervision mask of the rare parity task.
pub const NET_MASK: u64 = 0x5eed_0104;

/// Every stream id above (they must differ).
pub const STREAMS: [u64; 6] = [
    TASK_VECTORS,
    BATCHES,
    NET_DATA,
    NET_SPLIT,
    NET_INIT,
    NET_MASK,
];

/// A seeded generator for one purpose (`stream`) of one run (`seed`).
pub fn rng_for(seed: u64, stream: u64) -> Pcg64 {
    // Pcg64::seed_from_u64 expands the u64 through its own PCG32, so nearby seeds give
    // unrelated states; the xor with a large odd constant keeps streams apart.
    Pcg64::seed_from_u64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// k distinct indices of 0..n, uniformly (a partial Fisher–Yates shuffle), in increasing order.
pub fn choose(rng: &mut Pcg64, n: usize, k: usize) -> Vec<usize> {
    let mut idx: Vec<u32> = (0..n as u32).collect();
    partial_shuffle(rng, &mut idx, k);
    let mut out: Vec<usize> = idx[..k].iter().map(|&i| i as usize).collect();
    out.sort_unstable();
    out
}

/// Moves a uniformly random k-subset of `idx` to its front (any starting order will do).
pub fn partial_shuffle(rng: &mut Pcg64, idx: &mut [u32], k: usize) {
    let n = idx.len() as u32;
    for i in 0..k {
        let j = rng.random_range(i as u32..n) as usize;
        idx.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_differ() {
        let mut s = STREAMS.to_vec();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), STREAMS.len());
    }

    #[test]
    fn choose_gives_distinct_sorted_indices() {
        let mut r = rng_for(3, 9);
        let c = choose(&mut r, 100, 40);
        assert_eq!(c.len(), 40);
        assert!(c.windows(2).all(|w| w[0] < w[1]) && c[39] < 100);
        assert_eq!(choose(&mut r, 5, 5), vec![0, 1, 2, 3, 4]);
    }
}

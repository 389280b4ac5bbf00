//! The page's side of one network trained across Web Workers (docs/models.md §13), without
//! the DOM: which round is out, whose replies are in, and what a late or bad reply does.
//!
//! A round is one sharded step: [`Rounds::begin`] takes the order from the [`Run`] (θ_t and
//! the step's mask); each worker `i` answers for the shards `owned()[i]`
//! ([`crate::sim::nn::shard::ownership`]); when every reply is in, [`Rounds::receive`] hands
//! them to [`Run::end_round`], which checks them and records the frame. The page then begins
//! the next round at once (from the reply, not from the animation frame). A reply of an
//! earlier generation (the run was reset, seeked or replaced since: [`Rounds::restart`]) is
//! stale and ignored; a reply for the wrong shards, or a set the run refuses, is refused by
//! name, and [`Rounds::fail`] then does the open round on the page's thread, with the same
//! bits, so the page can carry on without its workers.

use super::run::Run;
use crate::sim::nn::shard::ownership;
use crate::sim::nn::{RoundOrder, ShardReply};
use std::ops::Range;

/// What a reply did.
#[derive(Clone, Debug, PartialEq)]
pub enum Received {
    /// Kept; other workers' replies are still out.
    Waiting,
    /// From an earlier generation or with no round out: ignored.
    Stale,
    /// The round is complete and recorded (true when a frame was recorded).
    Recorded(bool),
    /// Not accepted (the message says why); the round stays open for [`Rounds::fail`].
    Refused(String),
}

struct Open {
    order: RoundOrder,
    replies: Vec<Option<ShardReply>>,
}

/// The rounds of one run across `workers` workers.
pub struct Rounds {
    generation: u32,
    owned: Vec<Range<usize>>,
    open: Option<Open>,
}

impl Rounds {
    pub fn new(workers: usize) -> Self {
        Rounds {
            generation: 0,
            owned: ownership(workers),
            open: None,
        }
    }

    /// The shards each worker computes (worker i: `owned()[i]`; at most 16 workers get work).
    pub fn owned(&self) -> &[Range<usize>] {
        &self.owned
    }

    /// The current generation: a reply carries the generation of its round.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// A new run, a reset or a seek: the open round is dropped and its replies become stale.
    pub fn restart(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.open = None;
    }

    /// Whether a round is out.
    pub fn busy(&self) -> bool {
        self.open.is_some()
    }

    /// The next round of `run` (with its generation) unless one is out or the run has none
    /// (finished, failed, or not a sharded network).
    pub fn begin(&mut self, run: &mut Run) -> Option<(u32, &RoundOrder)> {
        if self.open.is_some() {
            return None;
        }
        let order = run.begin_round()?;
        let open = self.open.insert(Open {
            order,
            replies: vec![None; self.owned.len()],
        });
        Some((self.generation, &open.order))
    }

    /// Worker `worker`'s reply to the round of `generation`.
    pub fn receive(
        &mut self,
        run: &mut Run,
        generation: u32,
        worker: usize,
        reply: ShardReply,
    ) -> Received {
        if generation != self.generation {
            return Received::Stale;
        }
        let Some(open) = self.open.as_mut() else {
            return Received::Stale;
        };
        let Some(want) = self.owned.get(worker) else {
            return Received::Refused(format!("worker {worker} has no shards"));
        };
        if reply.shards != *want {
            return Received::Refused(format!(
                "worker {worker} answered for shards {}..{}, not {}..{}",
                reply.shards.start, reply.shards.end, want.start, want.end
            ));
        }
        open.replies[worker] = Some(reply);
        if open.replies.iter().any(Option::is_none) {
            return Received::Waiting;
        }
        // Taken, not copied (a reply is up to ≈ 0.4 MB of gradients): a refused set leaves
        // the round open with its order, all that `fail` needs.
        let replies: Vec<ShardReply> = open.replies.iter_mut().filter_map(Option::take).collect();
        match run.end_round(&open.order, &replies) {
            Ok(recorded) => {
                self.open = None;
                Received::Recorded(recorded)
            }
            Err(e) => Received::Refused(e),
        }
    }

    /// The page's own share of the open round, computed on this thread: participant 0 (the
    /// shards `owned()[0]`) answers as a worker would, with the same bits. The page's thread
    /// thus computes beside its workers instead of waiting for them.
    pub fn share(&mut self, run: &mut Run) -> Received {
        let Some(open) = self.open.as_ref() else {
            return Received::Stale;
        };
        let shards = self.owned[0].clone();
        match run.shard_work(&open.order, shards) {
            Ok(reply) => self.receive(run, self.generation, 0, reply),
            Err(e) => Received::Refused(e),
        }
    }

    /// The workers failed (an error, a refused reply, no answer in time): the open round is
    /// done on the page's thread (the same bits) and closed. Returns whether a frame was
    /// recorded.
    pub fn fail(&mut self, run: &mut Run) -> bool {
        match self.open.take() {
            Some(open) => run.local_round(&open.order),
            None => false,
        }
    }
}

//! Greedy construction and fast interchange: the search's options.

use super::{Found, SearchProblem, UNREACHED_COST_MINUTES};

/// No open site reaches the zone.
const NONE: u16 = u16::MAX;

/// An option being improved: which sites are open and, per zone, its nearest open site
/// and the time to its second nearest (what a swap needs to price itself in one pass).
#[derive(Debug, Clone)]
pub(super) struct State {
    open: Vec<bool>,
    /// Time to the nearest open site ([`UNREACHED_COST_MINUTES`] when none).
    pub(super) d1: Vec<u32>,
    /// The nearest open site ([`NONE`] when none).
    s1: Vec<u16>,
    /// Time to the second nearest open site ([`UNREACHED_COST_MINUTES`] when none).
    d2: Vec<u32>,
    /// Total weighted travel.
    pub(super) total: i128,
}

impl State {
    /// The state of the option opening `open` (fixed sites included by the caller).
    pub(super) fn new(p: &SearchProblem, open: Vec<bool>) -> Self {
        let mut s = State {
            open,
            d1: vec![UNREACHED_COST_MINUTES; p.zones],
            s1: vec![NONE; p.zones],
            d2: vec![UNREACHED_COST_MINUTES; p.zones],
            total: 0,
        };
        s.refresh(p);
        s
    }

    /// Recomputes each zone's nearest and second nearest open site from its sorted
    /// list (stopping at the second), and the total.
    fn refresh(&mut self, p: &SearchProblem) {
        let mut total = 0i128;
        for z in 0..p.zones {
            let (mut d1, mut s1, mut d2) = (UNREACHED_COST_MINUTES, NONE, UNREACHED_COST_MINUTES);
            for &s in p.near(z) {
                if self.open[usize::from(s)] {
                    let t = p.time[usize::from(s) * p.zones + z];
                    if s1 == NONE {
                        (d1, s1) = (t, s);
                    } else {
                        d2 = t;
                        break;
                    }
                }
            }
            (self.d1[z], self.s1[z], self.d2[z]) = (d1, s1, d2);
            total += i128::from(p.weight[z]) * i128::from(d1);
        }
        self.total = total;
    }

    /// The candidates open, ascending.
    pub(super) fn chosen(&self, p: &SearchProblem) -> Vec<usize> {
        (0..p.sites)
            .filter(|&s| self.open[s] && !p.fixed[s])
            .collect()
    }

    /// What opening closed site `s` would save: `sum of weight x (d1 - t)` over the
    /// zones it is nearer to.
    fn gain(&self, p: &SearchProblem, s: usize) -> i128 {
        let row = &p.time[s * p.zones..(s + 1) * p.zones];
        let mut gain = 0i128;
        for (z, &t) in row.iter().enumerate() {
            // An unreached pair is u32::MAX, above every d1.
            if t < self.d1[z] {
                gain += i128::from(p.weight[z]) * i128::from(self.d1[z] - t);
            }
        }
        gain
    }

    /// Opens the site with the greatest gain (ties to the smaller index), or, when
    /// `among > 1`, one of the `among` best at random.
    fn add_one(&mut self, p: &SearchProblem, among: usize, rng: &mut u64) {
        let mut gains: Vec<(i128, usize)> = (0..p.sites)
            .filter(|&s| !self.open[s])
            .map(|s| (self.gain(p, s), s))
            .collect();
        gains.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let pick = if among <= 1 {
            0
        } else {
            (next(rng) % gains.len().min(among) as u64) as usize
        };
        let s = gains[pick].1;
        self.open[s] = true;
        let row = &p.time[s * p.zones..(s + 1) * p.zones];
        for (d1, &t) in self.d1.iter_mut().zip(row) {
            *d1 = (*d1).min(t);
        }
    }

    /// The fixed sites, then `size` candidates opened greedily (see [`State::add_one`]).
    pub(super) fn greedy(p: &SearchProblem, size: usize, among: usize, seed: u64) -> Self {
        let mut s = State::new(p, p.fixed.clone());
        let mut rng = seed;
        for _ in 0..size {
            s.add_one(p, among, &mut rng);
        }
        s.refresh(p);
        s
    }

    /// Starts from another size's option: candidates added greedily or removed where
    /// removing costs least, until `size` are open.
    pub(super) fn warm(p: &SearchProblem, chosen: &[usize], size: usize) -> Self {
        let mut open = p.fixed.clone();
        for &c in chosen {
            open[c] = true;
        }
        let mut s = State::new(p, open);
        let mut rng = 0;
        while s.chosen(p).len() < size {
            s.add_one(p, 1, &mut rng);
            s.refresh(p);
        }
        while s.chosen(p).len() > size {
            let loss = s.removal_loss(p);
            let j = (0..p.sites)
                .filter(|&j| s.open[j] && !p.fixed[j])
                .min_by(|&a, &b| loss[a].cmp(&loss[b]).then(a.cmp(&b)))
                .expect("more candidates open than the size, so at least one");
            s.open[j] = false;
            s.refresh(p);
        }
        s
    }

    /// Per site, what closing it alone would cost.
    fn removal_loss(&self, p: &SearchProblem) -> Vec<i128> {
        let mut loss = vec![0i128; p.sites];
        for z in 0..p.zones {
            if self.s1[z] != NONE {
                loss[usize::from(self.s1[z])] +=
                    i128::from(p.weight[z]) * i128::from(self.d2[z] - self.d1[z]);
            }
        }
        loss
    }

    /// Fast interchange (Whitaker): takes the best swap of an open candidate for a closed
    /// one while it saves travel. Each closed candidate `i` is priced against every open
    /// one in a single pass: a zone nearer to `i` than to its nearest saves
    /// `d1 - t` whichever site closes; any other zone loses `min(t, d2) - d1` only if its
    /// nearest site is the one closed. Ties go to the first pair in index order.
    pub(super) fn interchange(mut self, p: &SearchProblem) -> Self {
        let mut loss = vec![0i128; p.sites];
        loop {
            let mut best = (0i128, usize::MAX, usize::MAX);
            for i in (0..p.sites).filter(|&i| !self.open[i]) {
                loss.fill(0);
                let mut gain = 0i128;
                let row = &p.time[i * p.zones..(i + 1) * p.zones];
                for (z, &t) in row.iter().enumerate() {
                    let (d1, w) = (self.d1[z], i128::from(p.weight[z]));
                    if t < d1 {
                        gain += w * i128::from(d1 - t);
                    } else if self.s1[z] != NONE {
                        // d2 <= UNREACHED_COST_MINUTES < u32::MAX, so an unreached t
                        // falls back to d2.
                        let alt = t.min(self.d2[z]);
                        loss[usize::from(self.s1[z])] += w * i128::from(alt - d1);
                    }
                }
                for j in (0..p.sites).filter(|&j| self.open[j] && !p.fixed[j]) {
                    let delta = loss[j] - gain;
                    if delta < best.0 {
                        best = (delta, i, j);
                    }
                }
            }
            if best.0 >= 0 {
                return self;
            }
            self.open[best.1] = true;
            self.open[best.2] = false;
            self.refresh(p);
        }
    }

    /// The option as reported.
    pub(super) fn found(&self, p: &SearchProblem) -> Found {
        let mut volume = vec![0u128; p.sites];
        let mut unreached_zones = 0;
        for z in 0..p.zones {
            match self.s1[z] {
                NONE => unreached_zones += 1,
                s => volume[usize::from(s)] += u128::from(p.weight[z]),
            }
        }
        Found {
            chosen: self.chosen(p),
            total: self.total,
            unreached_zones,
            volume,
        }
    }
}

/// xorshift64*: the randomised constructions' numbers (the seed is never 0: see
/// `super::seed`, and a 0 state stays 0, which only makes every pick the first).
fn next(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

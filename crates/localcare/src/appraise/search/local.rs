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

    /// Every candidate open, then closed one at a time until `size` are open: the one
    /// farthest outside its volume limits first (the smallest where a minimum binds),
    /// else the one whose closing costs least. Where the limits bind hard, a start from
    /// above keeps volumes balanced where a greedy start from below leaves small units.
    pub(super) fn drop_to(p: &SearchProblem, size: usize) -> Self {
        let mut s = State::new(p, vec![true; p.sites]);
        while s.chosen(p).len() > size {
            let volume = s.volumes(p);
            let loss = s.removal_loss(p);
            let j = (0..p.sites)
                .filter(|&j| s.open[j] && !p.fixed[j])
                .min_by(|&a, &b| {
                    let off = |j: usize| outside_one(p.limits[j], volume[j]);
                    off(b)
                        .cmp(&off(a))
                        .then(loss[a].cmp(&loss[b]))
                        .then(a.cmp(&b))
                })
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
                let gain = self.price(p, i, &mut loss);
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

    /// Each site's volume: the volume of the zones it is nearest to (0 when closed).
    fn volumes(&self, p: &SearchProblem) -> Vec<u128> {
        let mut volume = vec![0u128; p.sites];
        for (z, &s) in self.s1.iter().enumerate() {
            if s != NONE {
                volume[usize::from(s)] += u128::from(p.volume[z]);
            }
        }
        volume
    }

    /// How far the open sites' volumes are outside their limits, summed.
    pub(super) fn outside(&self, p: &SearchProblem) -> u128 {
        outside(p, &self.open, &self.volumes(p))
    }

    /// Interchange under volume limits: from a local optimum of travel, swaps are
    /// tried in the order of the travel they save (each priced exactly by the fast
    /// interchange's pass) and the first that lowers `(volume outside the limits,
    /// travel)` is taken, until none does. While some site is outside its limits,
    /// swaps that close such a site are tried first, and at most
    /// [`TRIES_OUTSIDE`] swaps an iteration are tried, so an infeasible start moves
    /// towards the limits quickly rather than scanning every swap.
    pub(super) fn interchange_within(mut self, p: &SearchProblem) -> Self {
        let mut outside_now = self.outside(p);
        loop {
            let mut swaps = self.swaps(p);
            if outside_now > 0 {
                let volume = self.volumes(p);
                let off = |j: usize| outside_one(p.limits[j], volume[j]) > 0;
                swaps.sort_by_key(|&(delta, i, j)| (!off(j), delta, i, j));
            }
            let mut next = None;
            for (tried, &(delta, i, j)) in swaps.iter().enumerate() {
                if outside_now == 0 && delta >= 0 {
                    break;
                }
                if outside_now > 0 && tried >= TRIES_OUTSIDE {
                    break;
                }
                let mut c = self.clone();
                c.open[i] = true;
                c.open[j] = false;
                c.refresh(p);
                let o = c.outside(p);
                if (o, c.total) < (outside_now, self.total) {
                    next = Some((c, o));
                    break;
                }
            }
            match next {
                Some((c, o)) => (self, outside_now) = (c, o),
                None => return self,
            }
        }
    }

    /// [`State::interchange_within`], and while some site is still outside its limits,
    /// up to [`KICKS`] kicks: two random swaps, then both interchanges again, kept when
    /// they lower `(volume outside the limits, travel)`. A single swap cannot always
    /// reach the limits from a local optimum of travel; a kick moves the search to
    /// another neighbourhood.
    pub(super) fn within_limits(self, p: &SearchProblem, seed: u64) -> Self {
        let mut best = self.interchange_within(p);
        let mut rng = seed | 1;
        let mut key = (best.outside(p), best.total);
        for _ in 0..KICKS {
            if key.0 == 0 {
                break;
            }
            let mut c = best.clone();
            for _ in 0..2 {
                let closed: Vec<usize> = (0..p.sites).filter(|&i| !c.open[i]).collect();
                let open: Vec<usize> = (0..p.sites).filter(|&j| c.open[j] && !p.fixed[j]).collect();
                if closed.is_empty() || open.is_empty() {
                    return best;
                }
                c.open[closed[(next(&mut rng) % closed.len() as u64) as usize]] = true;
                c.open[open[(next(&mut rng) % open.len() as u64) as usize]] = false;
            }
            c.refresh(p);
            let c = c.interchange_within(p);
            let k = (c.outside(p), c.total);
            if k < key {
                (best, key) = (c, k);
            }
        }
        best
    }

    /// Every swap of a closed candidate `i` for an open one `j`, with the change in
    /// travel it makes, `(delta, i, j)`, least first (ties in index order); priced as
    /// in [`State::interchange`].
    fn swaps(&self, p: &SearchProblem) -> Vec<(i128, usize, usize)> {
        let mut loss = vec![0i128; p.sites];
        let mut out = Vec::new();
        for i in (0..p.sites).filter(|&i| !self.open[i]) {
            let gain = self.price(p, i, &mut loss);
            for j in (0..p.sites).filter(|&j| self.open[j] && !p.fixed[j]) {
                out.push((loss[j] - gain, i, j));
            }
        }
        out.sort_unstable();
        out
    }

    /// Prices opening closed site `i`: returns what it saves the zones nearer to it,
    /// and fills `loss[j]` with what closing open site `j` then costs the rest.
    fn price(&self, p: &SearchProblem, i: usize, loss: &mut [i128]) -> i128 {
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
        gain
    }

    /// The option as reported.
    pub(super) fn found(&self, p: &SearchProblem) -> Found {
        let volume = self.volumes(p);
        let unreached_zones = self.s1.iter().filter(|&&s| s == NONE).count();
        Found {
            chosen: self.chosen(p),
            total: self.total,
            unreached_zones,
            outside_limits: outside(p, &self.open, &volume),
            volume,
        }
    }
}

/// Kicks tried while an option is outside its limits.
const KICKS: usize = 20;

/// Swaps tried an iteration while some site is outside its limits.
const TRIES_OUTSIDE: usize = 400;

/// How far one site's volume is outside its limits `(lo, hi)`.
fn outside_one((lo, hi): (u128, u128), v: u128) -> u128 {
    lo.saturating_sub(v) + v.saturating_sub(hi)
}

/// How far the open sites' volumes are outside their limits, summed.
fn outside(p: &SearchProblem, open: &[bool], volume: &[u128]) -> u128 {
    (0..p.sites)
        .filter(|&s| open[s])
        .map(|s| outside_one(p.limits[s], volume[s]))
        .fold(0u128, u128::saturating_add)
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

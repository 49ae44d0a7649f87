//! The projection of an option: each zone's patients to its nearest designated site,
//! as integers. One option from scratch, or the long list depth first, each added site
//! lowering every zone's best position in its sorted list (an incremental
//! nearest-site search), with a branch-free fast leaf when 64-bit sums cannot overflow.

use super::AppraisalError;
use super::prepared::{FAR, NONE, Prepared};
use super::ratio::{Ratio, pow10};

/// The projection of one option, as integers.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    /// Designated sites, ascending.
    pub sites: Vec<u16>,
    /// Per designated site: patients (at the stroke scale) and zones.
    pub volumes: Vec<i64>,
    pub zones: Vec<u32>,
    /// The longest time and its zone.
    pub max_time: i64,
    pub max_zone: usize,
    /// Σ patients × minutes (at both scales).
    pub sum: i128,
    /// Per threshold: patients within it.
    pub within: Vec<i64>,
}

impl Raw {
    pub(crate) fn mean(&self, p: &Prepared) -> Ratio {
        Ratio {
            num: self.sum,
            den: p.total as i128 * pow10(p.time_scale),
        }
    }
}

/// Scratch per worker: volumes and zone counts by site.
pub(crate) struct Scratch {
    volume: Vec<i64>,
    zones: Vec<u32>,
    /// The fast leaf's parent: per zone the time (FAR unreached) and the time for sums
    /// (0 unreached), the site (`n` unreached); per site (and the unreached slot `n`)
    /// patients and zones; the sums.
    pt: Vec<i64>,
    pt_sum: Vec<i64>,
    psite: Vec<u16>,
    base_volume: Vec<i64>,
    base_zones: Vec<u32>,
    base_sum: i64,
    base_within: Vec<i64>,
    /// The zones the fast leaf's last site takes.
    captured: Vec<u32>,
}

impl Prepared {
    /// Projects the option `sites` (ascending), whose first sites' best positions per
    /// zone are `prev`, with `last` the final site. `Err(zone)` when a zone is
    /// unreached.
    pub(crate) fn leaf(
        &self,
        prev: &[u16],
        last: u16,
        sites: &[u16],
        sc: &mut Scratch,
    ) -> Result<Raw, usize> {
        let n = self.sites.len();
        let nz = self.zone_ids.len();
        let rl = &self.rank[last as usize * nz..(last as usize + 1) * nz];
        let mut max_time = -1i64;
        let mut max_zone = 0;
        let mut sum: i128 = 0;
        let mut within = vec![0i64; self.thresholds_fixed.len()];
        for z in 0..nz {
            let r = prev[z].min(rl[z]);
            if r == NONE {
                for &s in sites {
                    sc.volume[s as usize] = 0;
                    sc.zones[s as usize] = 0;
                }
                return Err(z);
            }
            let i = z * n + r as usize;
            let s = self.order[i] as usize;
            let t = self.times[i];
            let w = self.strokes[z];
            sc.volume[s] += w;
            sc.zones[s] += 1;
            if t > max_time {
                max_time = t;
                max_zone = z;
            }
            sum += w as i128 * t as i128;
            for (j, &th) in self.thresholds_fixed.iter().enumerate() {
                if t <= th {
                    within[j] += w;
                }
            }
        }
        let mut volumes = Vec::with_capacity(sites.len());
        let mut zones = Vec::with_capacity(sites.len());
        for &s in sites {
            volumes.push(std::mem::take(&mut sc.volume[s as usize]));
            zones.push(std::mem::take(&mut sc.zones[s as usize]));
        }
        Ok(Raw {
            sites: sites.to_vec(),
            volumes,
            zones,
            max_time,
            max_zone,
            sum,
            within,
        })
    }

    pub(crate) fn scratch(&self) -> Scratch {
        let (n, nz) = (self.sites.len(), self.zone_ids.len());
        Scratch {
            volume: vec![0; n + 1],
            zones: vec![0; n + 1],
            pt: vec![FAR; nz],
            pt_sum: vec![0; nz],
            psite: vec![n as u16; nz],
            base_volume: vec![0; n + 1],
            base_zones: vec![0; n + 1],
            base_sum: 0,
            base_within: vec![0; self.thresholds_fixed.len()],
            captured: vec![0; nz],
        }
    }

    /// The fast leaf's parent: the projection of the first `k - 1` sites (`prev` their
    /// best positions), once for every last site.
    fn parent(&self, prev: &[u16], sites: &[u16], sc: &mut Scratch) {
        let n = self.sites.len();
        for &s in sites {
            sc.base_volume[s as usize] = 0;
            sc.base_zones[s as usize] = 0;
        }
        sc.base_volume[n] = 0;
        sc.base_zones[n] = 0;
        sc.base_sum = 0;
        sc.base_within.iter_mut().for_each(|w| *w = 0);
        for (z, &r) in prev.iter().enumerate() {
            let w = self.strokes[z];
            if r == NONE {
                sc.pt[z] = FAR;
                sc.pt_sum[z] = 0;
                sc.psite[z] = n as u16;
                sc.base_zones[n] += 1;
                continue;
            }
            let i = z * n + r as usize;
            let (s, t) = (self.order[i], self.times[i]);
            sc.pt[z] = t;
            sc.pt_sum[z] = t;
            sc.psite[z] = s;
            sc.base_volume[s as usize] += w;
            sc.base_zones[s as usize] += 1;
            sc.base_sum += w * t;
            for (j, &th) in self.thresholds_fast.iter().enumerate() {
                if t <= th {
                    sc.base_within[j] += w;
                }
            }
        }
    }

    /// The option `sites` (ascending) whose first sites are the parent in `sc` and whose
    /// last is `last`: only the zones `last` is nearer to move (an incremental nearest-site
    /// search), in 64-bit sums (`tmat` is only built when they cannot overflow).
    fn fast_leaf(
        &self,
        prev: &[u16],
        last: u16,
        sites: &[u16],
        sc: &mut Scratch,
    ) -> Result<Raw, usize> {
        let n = self.sites.len();
        let nz = self.zone_ids.len();
        let l = last as usize;
        let rl = &self.rank[l * nz..(l + 1) * nz];
        let tl = &self.tmat()[l * nz..(l + 1) * nz];
        let (pt, pt_sum, psite) = (&sc.pt[..nz], &sc.pt_sum[..nz], &sc.psite[..nz]);
        let strokes = &self.strokes[..nz];
        let prev = &prev[..nz];
        let mut delta: i64 = 0;
        let mut gained: i64 = 0;
        let mut longest: i64 = -1;
        // Pass 1, without branches: which zones the last site is nearer to (compacted
        // into `captured`), the longest time, the change of Σ patients × minutes.
        let captured = &mut sc.captured;
        captured.resize(nz, 0);
        let mut count = 0usize;
        for z in 0..nz {
            let c = rl[z] < prev[z];
            let w = strokes[z];
            let (ts, old) = (tl[z], pt[z]);
            longest = longest.max(if c { ts } else { old });
            let cw = w & -i64::from(c);
            delta += cw * (ts - pt_sum[z]);
            gained += cw;
            captured[count] = z as u32;
            count += usize::from(c);
        }
        // Pass 2, over the zones that move: volumes and shares within.
        let mut within = sc.base_within.clone();
        let th = &self.thresholds_fast;
        for &z in &captured[..count] {
            let z = z as usize;
            let w = strokes[z];
            let p = psite[z] as usize;
            sc.volume[p] += w;
            sc.zones[p] += 1;
            let (ts, old) = (tl[z], pt[z]);
            for (j, &h) in th.iter().enumerate() {
                within[j] += w * (i64::from(ts <= h) - i64::from(old <= h));
            }
        }
        let gained_zones = count as u32;
        if longest >= FAR {
            let z = (0..nz)
                .find(|&z| rl[z] >= prev[z] && pt[z] >= FAR)
                .unwrap_or(0);
            for &s in sites {
                sc.volume[s as usize] = 0;
                sc.zones[s as usize] = 0;
            }
            sc.volume[n] = 0;
            sc.zones[n] = 0;
            return Err(z);
        }
        // The first zone (by id) at the longest time.
        let max_zone = (0..nz)
            .find(|&z| (if rl[z] < prev[z] { tl[z] } else { pt[z] }) == longest)
            .unwrap_or(0);
        let mut volumes = Vec::with_capacity(sites.len());
        let mut zones = Vec::with_capacity(sites.len());
        for &s in sites {
            let s = s as usize;
            if s == l {
                volumes.push(gained);
                zones.push(gained_zones);
            } else {
                volumes.push(sc.base_volume[s] - std::mem::take(&mut sc.volume[s]));
                zones.push(sc.base_zones[s] - std::mem::take(&mut sc.zones[s]));
            }
        }
        sc.volume[n] = 0;
        sc.zones[n] = 0;
        Ok(Raw {
            sites: sites.to_vec(),
            volumes,
            zones,
            max_time: longest,
            max_zone,
            sum: i128::from(sc.base_sum + delta),
            within,
        })
    }

    fn unreachable(&self, id: &str, sites: &[u16], zone: usize) -> AppraisalError {
        AppraisalError::Unreachable {
            option: id.to_string(),
            zone: self.zone_ids[zone].clone(),
            sites: self.joined(sites),
        }
    }

    /// An option's id: its candidate sites joined by `+` (the fixed-open ones, in
    /// every option, are left out).
    pub(crate) fn joined(&self, sites: &[u16]) -> String {
        sites
            .iter()
            .filter(|&&s| s as usize >= self.fixed)
            .map(|&s| self.sites[s as usize].id.as_str())
            .collect::<Vec<_>>()
            .join("+")
    }

    /// Projects one option from scratch.
    pub(crate) fn project(
        &self,
        id: &str,
        sites: &[u16],
        sc: &mut Scratch,
    ) -> Result<Raw, AppraisalError> {
        let nz = self.zone_ids.len();
        let mut prev = vec![NONE; nz];
        let (&last, first) = sites.split_last().ok_or_else(|| AppraisalError::Table {
            table: "options",
            message: format!("option {id} designates no site"),
        })?;
        for &s in first {
            let rs = &self.rank[s as usize * nz..(s as usize + 1) * nz];
            for z in 0..nz {
                prev[z] = prev[z].min(rs[z]);
            }
        }
        self.leaf(&prev, last, sites, sc)
            .map_err(|z| self.unreachable(id, sites, z))
    }

    /// Enumerates every option of `k` sites that starts with `prefix`, depth first,
    /// each added site lowering every zone's best position.
    pub(crate) fn enumerate(
        &self,
        k: usize,
        prefix: &[u16],
        sc: &mut Scratch,
        emit: &mut dyn FnMut(Raw) -> Result<(), AppraisalError>,
    ) -> Result<(), AppraisalError> {
        let nz = self.zone_ids.len();
        let n = self.sites.len();
        // states[d]: the best positions after the first d sites.
        let mut states: Vec<Vec<u16>> = vec![vec![NONE; nz]; k];
        let mut chosen: Vec<u16> = Vec::with_capacity(k);
        for &s in prefix {
            self.push_site(&mut states, &mut chosen, s, k);
        }
        self.descend(k, n, &mut states, &mut chosen, sc, emit)
    }

    fn push_site(&self, states: &mut [Vec<u16>], chosen: &mut Vec<u16>, s: u16, k: usize) {
        let d = chosen.len();
        chosen.push(s);
        if d + 1 < k {
            let nz = self.zone_ids.len();
            let rs = &self.rank[s as usize * nz..(s as usize + 1) * nz];
            let (before, after) = states.split_at_mut(d + 1);
            let (prev, next) = (&before[d], &mut after[0]);
            for z in 0..nz {
                next[z] = prev[z].min(rs[z]);
            }
        }
    }

    fn descend(
        &self,
        k: usize,
        n: usize,
        states: &mut [Vec<u16>],
        chosen: &mut Vec<u16>,
        sc: &mut Scratch,
        emit: &mut dyn FnMut(Raw) -> Result<(), AppraisalError>,
    ) -> Result<(), AppraisalError> {
        let d = chosen.len();
        let start = chosen.last().map_or(0, |&s| s as usize + 1);
        if d + 1 == k {
            let fast = !self.tmat().is_empty();
            if fast {
                self.parent(&states[d], chosen, sc);
            }
            for s in start..n {
                chosen.push(s as u16);
                let raw = if fast {
                    self.fast_leaf(&states[d], s as u16, chosen, sc)
                } else {
                    self.leaf(&states[d], s as u16, chosen, sc)
                }
                .map_err(|z| self.unreachable(&self.joined(chosen), chosen, z))?;
                emit(raw)?;
                chosen.pop();
            }
            return Ok(());
        }
        for s in start..=(n - (k - d)) {
            self.push_site(states, chosen, s as u16, k);
            self.descend(k, n, states, chosen, sc, emit)?;
            chosen.pop();
        }
        Ok(())
    }
}

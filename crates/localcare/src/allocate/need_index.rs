//! Relative need indices (`docs/allocation.md#need-indices`): what NHS England's
//! place-based allocation tool reports for every place. For a unit and a weighted
//! population (a component's, or the formula's):
//!
//! `need index = (unit weighted population / unit population) / (footprint weighted
//! population / footprint population)`
//!
//! with the footprint the whole tree (the sum over the ACOs). It is worked out as one
//! exact fraction of integers, `wp x P / (pop x W)`, and shown to nine decimal places,
//! rounded half to even once, with a float beside it for plotting.

use super::{Allocation, NO_PARENT};

/// One unit's need index, held exactly as a fraction.
///
/// The fraction is kept as worked out, not reduced: reducing two 100-bit integers
/// costs dozens of 128-bit divisions, and neither the decimal text nor a comparison
/// needs it. Equality compares values; the float twin and the text of a fraction too
/// wide to work with directly reduce first, so every figure is what the reduced
/// fraction gives.
#[derive(Debug, Clone, Copy)]
pub struct NeedIndex {
    num: u128,
    den: u128,
}

impl PartialEq for NeedIndex {
    fn eq(&self, other: &Self) -> bool {
        self.reduced() == other.reduced()
    }
}

impl Eq for NeedIndex {}

/// Past this denominator the text's remainder times 1,000 might not fit in 128 bits.
const WIDE: u128 = 1 << 118;

/// Nine decimal places.
const NANO: u128 = 1_000_000_000;

impl NeedIndex {
    /// `num / den`; `None` when `den` is 0.
    fn new(num: u128, den: u128) -> Option<Self> {
        (den != 0).then_some(NeedIndex { num, den })
    }

    /// The fraction in lowest terms.
    fn reduced(&self) -> (u128, u128) {
        // An index of exactly 1 (a footprint weighted by population alone) and a
        // fraction already in lowest terms need no 128-bit division.
        if self.num == self.den {
            return (1, 1);
        }
        match gcd(self.num, self.den) {
            1 => (self.num, self.den),
            g => (self.num / g, self.den / g),
        }
    }

    /// The index as decimal text to nine places, rounded half to even once.
    pub fn text(&self) -> String {
        let mut s = String::with_capacity(16);
        self.write_text(&mut s);
        s
    }

    /// [`NeedIndex::text`], appended to `out` (a column's text, built without a
    /// string per row).
    pub fn write_text(&self, out: &mut String) {
        let (int, frac) = self.nine_places();
        crate::digits::push_uint(out, int);
        out.push('.');
        crate::digits::push_padded(out, frac, 9);
    }

    /// The integer part and the nine decimal places, rounded half to even once.
    fn nine_places(&self) -> (u128, u64) {
        let (mut num, mut den) = (self.num, self.den);
        if den < WIDE {
            // The usual case: all nine places in one division, when the numerator
            // scaled by 10^9 fits (a 128-bit division is a long software loop, and
            // this is one rather than four). The same digits and remainder as below.
            if let Some(scaled) = num.checked_mul(NANO) {
                let q = scaled / den;
                let r = scaled - q * den;
                let (int, frac) = match u64::try_from(q) {
                    Ok(q) => (u128::from(q / NANO as u64), q % NANO as u64),
                    Err(_) => (q / NANO, (q % NANO) as u64),
                };
                return round_half_even(int, frac, r, den);
            }
            // Three steps of three digits: r < den < 2^118, so r x 1000 fits.
            let int = num / den;
            let mut r = num - int * den;
            let mut frac: u64 = 0;
            for _ in 0..3 {
                r *= 1000;
                let d = r / den;
                r -= d * den;
                frac = frac * 1000 + d as u64;
            }
            return round_half_even(int, frac, r, den);
        }
        (num, den) = self.reduced();
        // r x 10 must fit: r < den < 2^124. Past it (populations beyond any real
        // footprint) the fraction is narrowed, to within 2^-120 of its value.
        while den >= 1 << 124 {
            (num, den) = (num >> 1, (den >> 1).max(1));
        }
        let int = num / den;
        let mut r = num % den;
        let mut frac: u64 = 0;
        for _ in 0..9 {
            r *= 10;
            frac = frac * 10 + (r / den) as u64;
            r %= den;
        }
        round_half_even(int, frac, r, den)
    }

    /// The index as a float, for plotting only.
    pub fn to_f64(&self) -> f64 {
        let (num, den) = self.reduced();
        num as f64 / den as f64
    }
}

/// Nine places `int.frac` with remainder `r / den` of the next place, rounded half to
/// even.
fn round_half_even(mut int: u128, mut frac: u64, r: u128, den: u128) -> (u128, u64) {
    // r < den < 2^124 here, so 2r fits.
    let up = 2 * r > den || (2 * r == den && frac % 2 == 1);
    if up {
        frac += 1;
        if frac == 1_000_000_000 {
            frac = 0;
            int += 1;
        }
    }
    (int, frac)
}

/// The greatest common divisor (1 for two zeros), by shifts and subtractions
/// (Stein's): a 128-bit remainder is a long software loop, and a result table reduces
/// a fraction per row for its float column.
fn gcd(mut a: u128, mut b: u128) -> u128 {
    if a == 0 || b == 0 {
        return (a | b).max(1);
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

impl Allocation {
    /// Each unit's population in billionths of a person (practices as registered,
    /// aggregates their sum), by position.
    pub(super) fn unit_populations(&self) -> Vec<u128> {
        let t = &*self.tree;
        let mut pop: Vec<u128> = t.population.iter().map(|p| p.billionths()).collect();
        for q in (0..t.ids.len()).rev() {
            let p = t.parent[q];
            if p != NO_PARENT {
                pop[p as usize] += pop[q];
            }
        }
        pop
    }

    /// Relative need index of every unit, in row order (units only, not pots), by
    /// `component`'s weighted population, or by this allocation's own (the policy's
    /// formula, or a line's component) when `component` is `None`. `None` when the
    /// component was not given; a unit's entry is `None` when its population is 0 (or
    /// the footprint's weighted population is 0).
    pub fn need_indices(&self, component: Option<&str>) -> Option<Vec<Option<NeedIndex>>> {
        let t = &*self.tree;
        let wp: &[u64] = match component {
            None => &self.weighted_population,
            Some(c) => self.component_weighted_population_nano(c)?,
        };
        let pop = self.unit_populations();
        let total_pop: u128 = pop[..t.roots].iter().sum();
        let total_wp: u128 = wp[..t.roots].iter().map(|&w| u128::from(w)).sum();
        Some(
            (0..t.ids.len())
                .map(|q| {
                    let num = u128::from(wp[q]).checked_mul(total_pop)?;
                    let den = pop[q].checked_mul(total_wp)?;
                    NeedIndex::new(num, den)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::NeedIndex;

    #[test]
    fn text_rounds_once_half_to_even() {
        assert_eq!(NeedIndex::new(1, 3).unwrap().text(), "0.333333333");
        assert_eq!(NeedIndex::new(2, 3).unwrap().text(), "0.666666667");
        assert_eq!(NeedIndex::new(5, 4).unwrap().text(), "1.250000000");
        // 0.0000000005 is a tie: to even (0), and 0.0000000015 to 0.000000002.
        assert_eq!(
            NeedIndex::new(1, 2_000_000_000).unwrap().text(),
            "0.000000000"
        );
        assert_eq!(
            NeedIndex::new(3, 2_000_000_000).unwrap().text(),
            "0.000000002"
        );
        assert_eq!(NeedIndex::new(1, 0), None);
        // Held unreduced; equal by value, the same text either way.
        assert_eq!(NeedIndex::new(4, 6), NeedIndex::new(2, 3));
        assert_eq!(NeedIndex::new(4, 6).unwrap().text(), "0.666666667");
        // A denominator past 2^118 takes the reduced, digit-by-digit path.
        let wide = NeedIndex::new(2 << 119, 3 << 119).unwrap();
        assert_eq!(wide.text(), "0.666666667");
        assert_eq!(wide, NeedIndex::new(2, 3).unwrap());
        assert!((NeedIndex::new(2, 3).unwrap().to_f64() - 2.0 / 3.0).abs() < 1e-15);
        // A numerator too wide to scale by 10^9 takes three steps of three digits.
        let tall = NeedIndex::new((2 << 100) + 1, 3 << 100).unwrap();
        assert!(tall.num.checked_mul(super::NANO).is_none());
        assert_eq!(tall.text(), "0.666666667");
    }

    #[test]
    fn gcd_by_shifts_is_euclids() {
        let euclid = |mut a: u128, mut b: u128| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a.max(1)
        };
        let values = [
            0u128,
            1,
            2,
            12,
            18,
            1 << 100,
            3 << 99,
            4_000_000_000_000_000_000_000_123,
            6_000_000_000_000_000_000_000_000,
            u128::MAX,
        ];
        for a in values {
            for b in values {
                assert_eq!(super::gcd(a, b), euclid(a, b), "gcd({a}, {b})");
            }
        }
    }

    #[test]
    fn one_division_gives_the_digits_of_three() {
        // Every place and the rounding remainder, both ways, over awkward fractions.
        let three_steps = |num: u128, den: u128| {
            let int = num / den;
            let mut r = num - int * den;
            let mut frac: u64 = 0;
            for _ in 0..3 {
                r *= 1000;
                let d = r / den;
                r -= d * den;
                frac = frac * 1000 + d as u64;
            }
            super::round_half_even(int, frac, r, den)
        };
        for num in [
            0u128,
            1,
            7,
            999_999_999_999,
            (1 << 90) + 3,
            4_000_000_000_000_000_000_000_123,
        ] {
            for den in [
                1u128,
                3,
                2_000_000_000,
                (1 << 70) - 1,
                3_999_999_999_999_999_999_999_877,
            ] {
                let n = NeedIndex::new(num, den).unwrap();
                assert_eq!(n.nine_places(), three_steps(num, den), "{num} / {den}");
            }
        }
    }
}

//! Exact ratios of integers (a mean travel time, a share of patients): compared with a
//! decimal bound and rounded for showing without floating point and without a fallback
//! that could panic (a `Decimal` holds 96 bits; the sums behind a ratio hold up to 127).

use std::cmp::Ordering;

use rust_decimal::Decimal;

/// `10^n` for `n <= 38`.
pub(crate) fn pow10(n: u32) -> i128 {
    10i128.pow(n)
}

/// An exact ratio of integers (`den > 0`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ratio {
    pub num: i128,
    pub den: i128,
}

/// The 256-bit product of two 128-bit magnitudes, as (high, low) halves.
fn wide_mul(a: u128, b: u128) -> (u128, u128) {
    const LOW: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & LOW);
    let (b1, b0) = (b >> 64, b & LOW);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    // Each term below 2^64, so the sum fits.
    let mid = (p00 >> 64) + (p01 & LOW) + (p10 & LOW);
    let low = (p00 & LOW) | (mid << 64);
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (high, low)
}

/// A signed value's sign: -1, 0 or 1.
fn sign(x: i128) -> i8 {
    x.signum() as i8
}

impl Ratio {
    /// Compares with a decimal exactly, whatever the sizes: `num × 10^scale` against
    /// `mantissa × den` in 256 bits.
    pub(crate) fn cmp_dec(self, d: Decimal) -> Ordering {
        let (sa, sb) = (sign(self.num), sign(d.mantissa()));
        if sa != sb {
            return sa.cmp(&sb);
        }
        let lhs = wide_mul(self.num.unsigned_abs(), pow10(d.scale()) as u128);
        let rhs = wide_mul(d.mantissa().unsigned_abs(), self.den as u128);
        let magnitude = lhs.cmp(&rhs);
        if sa < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }

    /// Rounded half away from zero to `places`, by long division (each step's remainder
    /// is below `den`); `None` when the result does not fit a decimal.
    pub(crate) fn round(self, places: u32) -> Option<Decimal> {
        let negative = self.num < 0;
        let num = self.num.unsigned_abs();
        let den = self.den.unsigned_abs();
        let (mut q, mut r) = (num / den, num % den);
        for _ in 0..places {
            let r10 = r.checked_mul(10)?;
            q = q.checked_mul(10)?.checked_add(r10 / den)?;
            r = r10 % den;
        }
        if r.checked_mul(2)? >= den {
            q = q.checked_add(1)?;
        }
        let q = i128::try_from(q).ok()?;
        Decimal::try_from_i128_with_scale(if negative { -q } else { q }, places).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_and_rounds_past_96_bits() {
        // 1e11 strokes x 1e18 minutes over 1e11 strokes: a mean of 1e18 minutes.
        let big = Ratio {
            num: 10i128.pow(29),
            den: 10i128.pow(11),
        };
        assert_eq!(big.round(2), Some(Decimal::from(10i64.pow(18))));
        let bound = Decimal::from_i128_with_scale(10i128.pow(27), 28); // 0.1, 28 places
        assert_eq!(big.cmp_dec(bound), Ordering::Greater);
        let tiny = Ratio {
            num: 1,
            den: i128::MAX,
        };
        assert_eq!(tiny.cmp_dec(bound), Ordering::Less);
        assert_eq!(tiny.cmp_dec(Decimal::ZERO), Ordering::Greater);
        let third = Ratio { num: 2, den: 3 };
        assert_eq!(third.round(6), Some(Decimal::new(666_667, 6)));
        assert_eq!(third.cmp_dec(Decimal::new(666_667, 6)), Ordering::Less);
        assert_eq!(Ratio { num: -1, den: 2 }.round(0), Some(Decimal::from(-1)));
        assert_eq!(
            Ratio {
                num: i128::MAX,
                den: 1
            }
            .round(2),
            None
        );
    }
}

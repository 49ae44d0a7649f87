//! Reading numbers from text cells (a CSV field, a string column), with messages that
//! say why a value is refused. Every face reads text through these.

use std::num::IntErrorKind;

use localcare::money::{group_digits, group_thousands, parse_decimal};
use localcare::rust_decimal::Decimal;

/// A whole number from text (surrounding spaces ignored).
pub fn int(s: &str) -> Result<i64, String> {
    let t = s.trim();
    t.parse::<i64>().map_err(|e| match e.kind() {
        IntErrorKind::PosOverflow => format!(
            "`{t}` is too large; expected at most {}",
            group_thousands(i64::MAX.unsigned_abs())
        ),
        IntErrorKind::NegOverflow => format!(
            "`{t}` is too small; expected at least -{}",
            group_thousands(i64::MIN.unsigned_abs())
        ),
        _ => format!("`{t}` is not a whole number"),
    })
}

/// An exact decimal from text: plain (`0.9`) or scientific (`9e-1`). A well-formed
/// number out of range is named as such rather than as "not a number".
pub fn decimal(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    parse_decimal(t).ok_or_else(|| decimal_error(t))
}

fn decimal_error(s: &str) -> String {
    // Only `-` is a sign here: `+1` is refused, as parse_decimal refuses it.
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let exponent = match exponent {
        None => Some(0),
        Some(e) => e.parse::<i64>().ok().or_else(|| {
            // An exponent beyond i64 is still a well-formed (huge or tiny) number.
            let (negative, d) = match e.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, e.strip_prefix('+').unwrap_or(e)),
            };
            (!d.is_empty() && digits(d)).then_some(if negative { i64::MIN } else { i64::MAX })
        }),
    };
    let well_formed = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    match exponent {
        Some(exp) if well_formed => {
            // Decimal digits before the point, once scaled by the exponent.
            let significant = int.trim_start_matches('0');
            let magnitude = if significant.is_empty() {
                -((frac.len() - frac.trim_start_matches('0').len()) as i64)
            } else {
                significant.len() as i64
            };
            if magnitude.saturating_add(exp) > 28 {
                let max = Decimal::MAX.trunc().to_string();
                format!(
                    "`{s}` is too large for a decimal; expected between -{max} and {max}",
                    max = group_digits(&max)
                )
            } else {
                format!("`{s}` has more decimal places than a decimal can hold (28)")
            }
        }
        _ => format!("`{s}` is not a decimal number"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_say_why_they_are_refused() {
        assert_eq!(int(" 42 "), Ok(42));
        assert!(
            int("9223372036854775808")
                .unwrap_err()
                .contains("too large")
        );
        assert!(
            int("-9223372036854775809")
                .unwrap_err()
                .contains("too small")
        );
        assert_eq!(int("4.5").unwrap_err(), "`4.5` is not a whole number");
    }

    #[test]
    fn decimals_say_why_they_are_refused() {
        assert_eq!(decimal("0.90"), Ok("0.90".parse().unwrap()));
        assert!(
            decimal("1e40")
                .unwrap_err()
                .contains("too large for a decimal")
        );
        assert!(
            decimal("1e-40")
                .unwrap_err()
                .contains("more decimal places")
        );
        assert_eq!(decimal("abc").unwrap_err(), "`abc` is not a decimal number");
    }
}

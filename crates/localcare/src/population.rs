//! [`Population`]: an exact, non-negative number of people, to the billionth.
//!
//! NHS England publishes practice populations adjusted to ONS projections, so they are
//! fractional (`8843.471177`, `0.081775254`; up to 9 decimal places in the 2024/25
//! practice file). Rounding them would move people between practices, and two of them
//! would round to nobody, so the library keeps them exactly: a population is a whole
//! number of **billionths of a person** in a `u128`.
//!
//! Why `u128`: a population may be as large as the whole-number populations the library
//! always took, `u64::MAX` people (1.8 × 10^19), which is 1.8 × 10^28 billionths, past
//! a `u64`. The same bound holds for sums: [`Population::checked_add`] says `None` past
//! `u64::MAX` people (an aggregate's population then is reported as overflowing, LC207,
//! as it always was), and a product with a 9-decimal index stays inside `u128` for
//! every real practice (a billion people times an index of a thousand is 10^30 of
//! 3.4 × 10^38). Nothing panics: every sum and product is checked.
//!
//! Why at most 9 decimal places: the published file has 9, and a tenth place would
//! have to be rounded to be held; the library refuses it ([`PopulationError::TooPrecise`])
//! rather than round.
//!
//! Population bands (tier bands, settlement thresholds) stay whole people and compare
//! exactly: 19,999.5 people are below a 20,000 minimum.
//!
//! ```
//! use localcare::Population;
//! let p: Population = "8843.471177".parse()?;
//! assert_eq!(p.to_string(), "8843.471177");
//! assert_eq!(p.group_thousands(), "8,843.471177");
//! assert!(p < Population::from(8844u32));
//! assert_eq!(Population::from(200_000u32).to_string(), "200000");
//! assert!("0.1234567891".parse::<Population>().is_err()); // 10 decimal places
//! # Ok::<(), localcare::population::PopulationError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

/// Billionths of a person in one person.
pub const SCALE: u128 = 1_000_000_000;

/// The most decimal places a population may have.
pub const MAX_DECIMALS: u32 = 9;

/// An exact, non-negative number of people with at most 9 decimal places.
///
/// Ordered and compared exactly; whole numbers print as they always have (`200000`),
/// fractions with trailing zeros trimmed (`8843.471177`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Population(u128);

/// Why a text or number is not a population.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PopulationError {
    /// Nothing was given.
    #[error("is empty; expected a number of people, 0 or more")]
    Empty,
    /// Not a decimal number (letters, a comma, NaN, infinity).
    #[error("`{0}` is not a number of people; expected a decimal such as 8843.471177")]
    NotANumber(String),
    /// Below zero.
    #[error("{0} is negative; expected 0 or more")]
    Negative(String),
    /// More than 9 decimal places: it would have to be rounded.
    #[error(
        "{text} has {decimals} decimal places; at most 9 are kept exactly, and the library does not round"
    )]
    TooPrecise {
        /// The value as given.
        text: String,
        /// Its number of decimal places.
        decimals: u32,
    },
    /// More than `u64::MAX` whole people.
    #[error("{0} is too large; at most 18446744073709551615 people")]
    TooLarge(String),
}

impl Population {
    /// No people.
    pub const ZERO: Population = Population(0);
    /// The largest population: `u64::MAX` people.
    pub const MAX: Population = Population(u64::MAX as u128 * SCALE);

    /// `n` whole people.
    pub const fn whole(n: u64) -> Self {
        Population(n as u128 * SCALE)
    }

    /// A population of `billionths` billionths of a person; `None` above [`Population::MAX`].
    pub const fn from_billionths(billionths: u128) -> Option<Self> {
        if billionths > Self::MAX.0 {
            None
        } else {
            Some(Population(billionths))
        }
    }

    /// The population in billionths of a person: the exact integer the arithmetic uses.
    pub const fn billionths(self) -> u128 {
        self.0
    }

    /// Whole people, rounded down.
    pub const fn floor(self) -> u64 {
        (self.0 / SCALE) as u64
    }

    /// Whole people, rounded up (a band's maximum is passed only by more than it).
    pub const fn ceil(self) -> u64 {
        self.0.div_ceil(SCALE) as u64
    }

    /// The billionths past the whole people (0 for a whole number).
    pub const fn fraction_billionths(self) -> u32 {
        (self.0 % SCALE) as u32
    }

    /// Whether this is a whole number of people.
    pub const fn is_whole(self) -> bool {
        self.0 % SCALE == 0
    }

    /// The whole number of people, when it is one.
    pub const fn as_whole(self) -> Option<u64> {
        if self.is_whole() {
            Some(self.floor())
        } else {
            None
        }
    }

    /// The exact sum, or `None` past [`Population::MAX`] (`u64::MAX` people).
    pub const fn checked_add(self, other: Population) -> Option<Population> {
        match self.0.checked_add(other.0) {
            Some(s) => Population::from_billionths(s),
            None => None,
        }
    }

    /// The exact sum of many populations, in any order; `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Population>>(it: I) -> Option<Population> {
        it.into_iter()
            .try_fold(Population::ZERO, |a, b| a.checked_add(b))
    }

    /// The nearest `f64`, for plots and notebooks only: no rule reads it.
    pub fn to_f64(self) -> f64 {
        self.floor() as f64 + f64::from(self.fraction_billionths()) / 1e9
    }

    /// The exact value as a [`Decimal`]; `None` when it has more than the 28 digits a
    /// `Decimal` holds (above about 79 billion billion people).
    pub fn to_decimal(self) -> Option<Decimal> {
        let n = i128::try_from(self.0).ok()?;
        Decimal::try_from_i128_with_scale(n, MAX_DECIMALS)
            .ok()
            .map(|d| d.normalize())
    }

    /// The population a [`Decimal`] states, exactly: refused when negative or with more
    /// than 9 decimal places (after trailing zeros are dropped).
    pub fn from_decimal(d: Decimal) -> Result<Population, PopulationError> {
        let d = d.normalize();
        if d.is_sign_negative() && !d.is_zero() {
            return Err(PopulationError::Negative(d.to_string()));
        }
        if d.scale() > MAX_DECIMALS {
            return Err(PopulationError::TooPrecise {
                text: d.to_string(),
                decimals: d.scale(),
            });
        }
        let m = d.mantissa().unsigned_abs() * 10u128.pow(MAX_DECIMALS - d.scale());
        Population::from_billionths(m).ok_or_else(|| PopulationError::TooLarge(d.to_string()))
    }

    /// The population an `f64` stands for, read as its shortest round-trip text (what
    /// Python prints for it: `8843.471177`, not the binary fraction beneath), then
    /// exactly as text. NaN, infinities and negatives are refused.
    pub fn from_f64(x: f64) -> Result<Population, PopulationError> {
        if !x.is_finite() {
            return Err(PopulationError::NotANumber(x.to_string()));
        }
        // Rust prints the shortest text that reads back to the same f64, without an
        // exponent.
        x.to_string().parse()
    }

    /// The population with a comma every three digits of the whole part:
    /// `1,796,610` or `8,843.471177`.
    pub fn group_thousands(self) -> String {
        let mut s = String::with_capacity(40);
        self.push_thousands(&mut s);
        s
    }

    /// Writes [`Population::group_thousands`] without allocating.
    pub fn push_thousands<W: fmt::Write + ?Sized>(self, out: &mut W) {
        crate::money::push_thousands(self.floor(), out);
        self.push_fraction(out);
    }

    /// Writes `.` and the fraction digits with trailing zeros trimmed; nothing when whole.
    fn push_fraction<W: fmt::Write + ?Sized>(self, out: &mut W) {
        let f = self.fraction_billionths();
        if f != 0 {
            let digits = format!("{f:09}");
            let _ = out.write_char('.');
            let _ = out.write_str(digits.trim_end_matches('0'));
        }
    }
}

impl fmt::Display for Population {
    /// `200000`, `8843.471177`: the whole part, and the fraction with trailing zeros
    /// trimmed (nothing after a whole number). Parsing it gives the same population.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(32);
        use fmt::Write as _;
        let _ = write!(s, "{}", self.floor());
        self.push_fraction(&mut s);
        f.pad(&s)
    }
}

impl From<u8> for Population {
    fn from(n: u8) -> Self {
        Population::whole(u64::from(n))
    }
}
impl From<u16> for Population {
    fn from(n: u16) -> Self {
        Population::whole(u64::from(n))
    }
}
impl From<u32> for Population {
    fn from(n: u32) -> Self {
        Population::whole(u64::from(n))
    }
}
impl From<u64> for Population {
    fn from(n: u64) -> Self {
        Population::whole(n)
    }
}

impl TryFrom<i64> for Population {
    type Error = PopulationError;
    /// A whole number of people; negative numbers are refused.
    fn try_from(n: i64) -> Result<Self, Self::Error> {
        u64::try_from(n)
            .map(Population::whole)
            .map_err(|_| PopulationError::Negative(n.to_string()))
    }
}

impl FromStr for Population {
    type Err = PopulationError;

    /// Reads `200000`, `8843.471177`, `+12`, `.5`, `5.` or with an exponent (`1e3`,
    /// `8.843471177e3`, what some writers print for very small or large floats), exactly:
    /// the digits are taken as written, never through a float. Surrounding spaces are
    /// ignored. Refused: empty text, anything else (`1,5`, `NaN`, `inf`), a negative
    /// number (`-0` is 0), more than 9 decimal places once the exponent is applied (a
    /// trailing zero counts: `1.0000000000` is refused, as its writer claimed 10 places),
    /// and more than `u64::MAX` people.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        if t.is_empty() {
            return Err(PopulationError::Empty);
        }
        let not_a_number = || PopulationError::NotANumber(t.to_string());
        let (negative, body) = match t.as_bytes()[0] {
            b'-' => (true, &t[1..]),
            b'+' => (false, &t[1..]),
            _ => (false, t),
        };
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(i) => {
                let e: i32 = body[i + 1..].parse().map_err(|_| not_a_number())?;
                (&body[..i], e)
            }
            None => (body, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
            return Err(not_a_number());
        }
        // Decimal places once the exponent is applied; a large exponent is refused by
        // size below, never computed past i64.
        let places = frac.len() as i64 - i64::from(exponent);
        // No allocation: this runs once a cell on a million-row CSV.
        let digits = || int.bytes().chain(frac.bytes());
        let nonzero = digits().any(|b| b != b'0');
        if negative && nonzero {
            return Err(PopulationError::Negative(t.to_string()));
        }
        if places > i64::from(MAX_DECIMALS) {
            return Err(PopulationError::TooPrecise {
                text: t.to_string(),
                decimals: u32::try_from(places).unwrap_or(u32::MAX),
            });
        }
        if !nonzero {
            return Ok(Population::ZERO);
        }
        // billionths = digits x 10^(9 - places); 9 - places >= 0 here.
        let shift = i64::from(MAX_DECIMALS) - places;
        let too_large = || PopulationError::TooLarge(t.to_string());
        let significant = digits().skip_while(|&b| b == b'0').count() as i64;
        // u64::MAX people is 29 digits of billionths: more digits than that is too large.
        if significant + shift > 29 {
            return Err(too_large());
        }
        let n = digits().fold(0u128, |n, b| n * 10 + u128::from(b - b'0'));
        let b = n
            .checked_mul(10u128.pow(shift as u32))
            .ok_or_else(too_large)?;
        Population::from_billionths(b).ok_or_else(too_large)
    }
}

impl std::iter::Sum for Population {
    /// The exact sum; saturates at [`Population::MAX`]. Use
    /// [`Population::checked_sum`] to be told.
    fn sum<I: Iterator<Item = Population>>(iter: I) -> Population {
        iter.fold(Population::ZERO, |a, b| {
            a.checked_add(b).unwrap_or(Population::MAX)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Population {
        s.parse().unwrap()
    }

    #[test]
    fn parses_exactly() {
        assert_eq!(p("200000"), Population::whole(200_000));
        assert_eq!(p("8843.471177").billionths(), 8_843_471_177_000);
        assert_eq!(p("0.081775254").billionths(), 81_775_254);
        assert_eq!(p(" 12 "), Population::whole(12));
        assert_eq!(p("+12"), Population::whole(12));
        assert_eq!(p(".5").billionths(), 500_000_000);
        assert_eq!(p("5.").billionths(), 5_000_000_000);
        assert_eq!(p("-0"), Population::ZERO);
        assert_eq!(p("1e3"), Population::whole(1000));
        assert_eq!(p("8.843471177E3").billionths(), 8_843_471_177_000);
        assert_eq!(p("1.5e-8").to_string(), "0.000000015");
        assert_eq!(p("18446744073709551615"), Population::MAX);
    }

    #[test]
    fn refuses_bad_text() {
        use PopulationError::*;
        let e = |s: &str| s.parse::<Population>().unwrap_err();
        assert_eq!(e(""), Empty);
        assert_eq!(e("  "), Empty);
        assert!(matches!(e("1,5"), NotANumber(_)));
        assert!(matches!(e("NaN"), NotANumber(_)));
        assert!(matches!(e("inf"), NotANumber(_)));
        assert!(matches!(e("."), NotANumber(_)));
        assert!(matches!(e("1e"), NotANumber(_)));
        assert!(matches!(e("--1"), NotANumber(_)));
        assert!(matches!(e("-5"), Negative(_)));
        assert!(matches!(e("-0.000000001"), Negative(_)));
        assert_eq!(
            e("0.1234567891"),
            TooPrecise {
                text: "0.1234567891".into(),
                decimals: 10
            }
        );
        assert!(matches!(e("1.0000000000"), TooPrecise { decimals: 10, .. }));
        assert!(matches!(e("1e-10"), TooPrecise { decimals: 10, .. }));
        assert!(matches!(e("18446744073709551616"), TooLarge(_)));
        assert!(matches!(e("1e400"), TooLarge(_)));
        assert_eq!(
            e("0.1234567891").to_string(),
            "0.1234567891 has 10 decimal places; at most 9 are kept exactly, and the library does not round"
        );
    }

    #[test]
    fn displays_whole_numbers_as_before() {
        assert_eq!(Population::whole(200_000).to_string(), "200000");
        assert_eq!(Population::ZERO.to_string(), "0");
        assert_eq!(p("8843.4711770").to_string(), "8843.471177");
        assert_eq!(p("0.000000001").to_string(), "0.000000001");
        assert_eq!(Population::whole(1_796_610).group_thousands(), "1,796,610");
        assert_eq!(p("1234567.5").group_thousands(), "1,234,567.5");
        assert_eq!(format!("{:>8}", Population::whole(12)), "      12");
    }

    #[test]
    fn bands_compare_exactly() {
        let band_min = Population::whole(20_000);
        assert!(p("19999.5") < band_min);
        assert!(p("19999.999999999") < band_min);
        assert!(p("20000.000000001") > band_min);
        assert_eq!(p("19999.5").floor(), 19_999);
        assert_eq!(p("19999.5").ceil(), 20_000);
        assert_eq!(p("20000").ceil(), 20_000);
    }

    #[test]
    fn floats_read_as_their_shortest_text() {
        assert_eq!(Population::from_f64(8843.471177).unwrap(), p("8843.471177"));
        assert_eq!(Population::from_f64(0.081775254).unwrap(), p("0.081775254"));
        assert!(matches!(
            Population::from_f64(f64::NAN),
            Err(PopulationError::NotANumber(_))
        ));
        assert!(Population::from_f64(f64::INFINITY).is_err());
        assert!(matches!(
            Population::from_f64(-1.0),
            Err(PopulationError::Negative(_))
        ));
        assert!(matches!(
            Population::from_f64(0.1 + 0.2),
            Err(PopulationError::TooPrecise { .. })
        ));
    }

    #[test]
    fn decimals_convert_exactly() {
        let d: Decimal = "8843.471177000".parse().unwrap();
        assert_eq!(Population::from_decimal(d).unwrap(), p("8843.471177"));
        assert_eq!(
            p("8843.471177").to_decimal().unwrap().to_string(),
            "8843.471177"
        );
        assert!(Population::from_decimal("-1".parse().unwrap()).is_err());
        assert!(Population::from_decimal("0.0000000001".parse().unwrap()).is_err());
        assert_eq!(
            Population::try_from(-1i64).unwrap_err(),
            PopulationError::Negative("-1".into())
        );
    }

    #[test]
    fn two_real_practices_add_up_exactly() {
        // `pop 2022/23` of two practices in NHS England's 2024/25 practice weighted
        // populations file (Open Government Licence v3.0; /work/shared/data).
        let a = p("8843.471177");
        let b = p("0.081775254");
        assert_eq!((a.checked_add(b)).unwrap().to_string(), "8843.552952254");
    }

    #[test]
    fn sums_past_the_largest_are_refused_not_wrapped() {
        let one = Population::from_billionths(1).unwrap();
        assert_eq!(Population::MAX.checked_add(one), None);
        assert_eq!(
            Population::MAX.checked_add(Population::ZERO),
            Some(Population::MAX)
        );
        assert_eq!(
            [Population::MAX, Population::MAX]
                .into_iter()
                .sum::<Population>(),
            Population::MAX
        );
        // 10 million practices of 100 million people each: 10^15 people, exact.
        let big = Population::whole(100_000_000);
        let total = Population::from_billionths(big.billionths() * 10_000_000).unwrap();
        assert_eq!(total.to_string(), "1000000000000000");
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(b in 0u128..=Population::MAX.billionths()) {
            let x = Population::from_billionths(b).unwrap();
            prop_assert_eq!(x.to_string().parse::<Population>().unwrap(), x);
            let grouped = x.group_thousands().replace(',', "");
            prop_assert_eq!(grouped.parse::<Population>().unwrap(), x);
        }

        /// Text parses to what the decimal it spells says, however it is spelt.
        #[test]
        fn parse_agrees_with_decimal(int in "[0-9]{0,12}", frac in "[0-9]{0,11}", zeros in 0usize..3) {
            prop_assume!(!(int.is_empty() && frac.is_empty()));
            let text = format!("{}{int}.{frac}", "0".repeat(zeros));
            let d: Decimal = text.parse().unwrap();
            let want = Population::from_decimal(d);
            match text.parse::<Population>() {
                Ok(p) => prop_assert_eq!(Ok(p), want),
                // Written with more than 9 places, even if they are zeros: refused.
                Err(PopulationError::TooPrecise { decimals, .. }) => prop_assert!(decimals as usize == frac.len() && frac.len() > 9),
                Err(e) => prop_assert!(false, "{e}"),
            }
        }

        #[test]
        fn whole_numbers_print_as_integers(n in any::<u64>()) {
            prop_assert_eq!(Population::whole(n).to_string(), n.to_string());
            prop_assert_eq!(Population::whole(n).group_thousands(), crate::money::group_thousands(n));
        }

        #[test]
        fn compare_with_whole_bands_exactly(b in 0u128..=1_000_000_000_000_000u128, m in 0u64..=1_000_000_000) {
            let x = Population::from_billionths(b).unwrap();
            prop_assert_eq!(x < Population::whole(m), x.floor() < m);
            prop_assert_eq!(x > Population::whole(m), x.ceil() > m);
        }

        #[test]
        fn sums_do_not_depend_on_order(
            mut xs in proptest::collection::vec(0u128..=1_000_000_000_000_000_000u128, 0..50),
        ) {
            let pops = |v: &[u128]| v.iter().map(|&b| Population::from_billionths(b).unwrap()).collect::<Vec<_>>();
            let a = Population::checked_sum(pops(&xs)).unwrap();
            xs.reverse();
            xs.sort_unstable_by_key(|b| b % 7);
            prop_assert_eq!(Population::checked_sum(pops(&xs)).unwrap(), a);
            prop_assert_eq!(a.billionths(), xs.iter().sum::<u128>());
        }
    }
}

//! Money: integer pence, exact decimal parameters and largest-remainder apportionment.
//!
//! Every amount of money in `localcare` is a whole number of pence held in an `i64`.
//! Intermediate products (amount x weight) are taken in `u128`/`i128`, so no penny is
//! ever decided by floating point, and every split of a sum adds back up to it exactly.
//!
//! # The tie-break rule
//!
//! [`apportion`] gives each part the floor of its exact share, then hands the pence
//! left over (fewer than the number of parts) one each to the parts with the largest
//! remainders. Parts whose remainders are equal are ordered by their **key**
//! (ascending), which callers set to the rank of the unit id in byte order. The key
//! belongs to the data, not to its position, so shuffling the input rows never moves a
//! penny.

use std::fmt;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Why a sum of money could not be worked with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is not an amount of money.
    #[error("`{text}` is not an amount of money: {why}")]
    Parse {
        /// The text given.
        text: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// An amount was negative where only zero or more is allowed.
    #[error("amount {0} pence is negative")]
    Negative(i64),
    /// Arithmetic on the amounts would overflow 64-bit pence.
    #[error("amount overflows 64-bit pence (more than £92,233,720,368,547,758.07)")]
    Overflow,
    /// A positive amount was to be split over weights that add up to zero.
    #[error("cannot split {amount} pence over weights that add up to zero")]
    ZeroWeight {
        /// The amount that could not be split.
        amount: i64,
    },
    /// A decimal parameter was out of range or could not be represented.
    #[error("decimal `{0}` cannot be used here: {1}")]
    Decimal(String, &'static str),
}

/// Number of fractional digits kept in fixed-point parameters (need indices, shares, rates).
pub const FIXED_DIGITS: u32 = 9;
/// One, as a fixed-point parameter: `10^FIXED_DIGITS`.
pub const FIXED_ONE: u64 = 1_000_000_000;

/// Reads decimal text exactly, written plainly (`0.90`) or in scientific notation
/// (`9E-1`); `None` when it is neither or does not fit a decimal. The one reading of
/// decimal text (need indices, rates, quality scores) that the ruleset loader and every
/// face share, so `9E-1` means the same everywhere. Surrounding space is the caller's
/// to trim or refuse.
///
/// ```
/// use localcare::money::parse_decimal;
/// use rust_decimal::Decimal;
/// assert_eq!(parse_decimal("0.90"), Some(Decimal::new(90, 2)));
/// assert_eq!(parse_decimal("9E-1"), Some(Decimal::new(9, 1)));
/// assert_eq!(parse_decimal("NaN"), None);
/// // What a person would not write is refused, so a typo cannot change a weight
/// // tenfold: no digit separators, no `+`, digits on some side of the point.
/// assert_eq!(parse_decimal("1_0"), None);
/// assert_eq!(parse_decimal("+1"), None);
/// assert_eq!(parse_decimal("."), None);
/// ```
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    if let Some(d) = parse_short_unsigned(text) {
        return Some(d);
    }
    if !is_plain_decimal(text) {
        return None;
    }
    text.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(text).ok())
}

/// `digits[.digits]` of at most 18 digits in all, the shape of nearly every figure in
/// a real file, read without the decimal crate's general parser: the same value and
/// the same scale (so the same text when written back) as `str::parse` gives.
fn parse_short_unsigned(text: &str) -> Option<Decimal> {
    let b = text.as_bytes();
    if b.is_empty() || b.len() > 19 {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut digits = 0u32;
    let mut point: Option<u32> = None;
    for &c in b {
        match c {
            b'0'..=b'9' => {
                // At most 18 digits, so the mantissa stays below 10^18 and cannot
                // overflow (19 nines would); longer figures go to the general parser.
                digits += 1;
                if digits > 18 {
                    return None;
                }
                mantissa = mantissa * 10 + i64::from(c - b'0');
            }
            b'.' if point.is_none() => point = Some(digits),
            _ => return None,
        }
    }
    // Digits on at least one side of the point.
    if digits == 0 {
        return None;
    }
    // A point at either end (`.5`, `5.`) is left to the general parser.
    if point.is_some_and(|p| p == 0 || p == digits) {
        return None;
    }
    let scale = point.map_or(0, |p| digits - p);
    Some(Decimal::new(mantissa, scale))
}

/// `-?digits[.digits][e[-+]digits]`, with digits on at least one side of the point: the
/// forms a person writes (the decimal crate alone also takes `1_0` and `+1`).
fn is_plain_decimal(text: &str) -> bool {
    let t = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (t, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Converts an exact decimal in `[0, u64::MAX / 10^9]` into fixed point with nine
/// fractional digits, rounding half to even beyond the ninth digit.
///
/// Need indices, shares and rates become `u64` this way once, when they are loaded, so
/// the allocation's hot loops run on integers alone.
///
/// ```
/// use localcare::money::to_fixed;
/// use rust_decimal::Decimal;
/// assert_eq!(to_fixed("0.8".parse::<Decimal>().unwrap()).unwrap(), 800_000_000);
/// assert!(to_fixed("-1".parse::<Decimal>().unwrap()).is_err());
/// ```
pub fn to_fixed(d: Decimal) -> Result<u64, MoneyError> {
    if d.is_sign_negative() && !d.is_zero() {
        return Err(MoneyError::Decimal(d.to_string(), "it is negative"));
    }
    // Nine places or fewer: an exact integer product, no rounding, no decimal arithmetic.
    if d.scale() <= FIXED_DIGITS {
        let m = d.mantissa().unsigned_abs();
        if let Some(f) = m
            .checked_mul(10u128.pow(FIXED_DIGITS - d.scale()))
            .and_then(|f| u64::try_from(f).ok())
        {
            return Ok(f);
        }
    }
    let scaled = d
        .checked_mul(Decimal::from(FIXED_ONE))
        .ok_or_else(|| MoneyError::Decimal(d.to_string(), "it is too large"))?
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointNearestEven);
    // The error's text is built only on the error path: this runs once per practice
    // and component.
    scaled
        .to_u64()
        .ok_or_else(|| MoneyError::Decimal(d.to_string(), "it is too large"))
}

/// The decimal value of a fixed-point parameter.
pub fn from_fixed(f: u64) -> Decimal {
    Decimal::from_i128_with_scale(i128::from(f), FIXED_DIGITS)
}

/// Splits `amount` pence over `weights` by largest remainder.
///
/// Every part is within one penny of its exact share `amount * w / W`, and the parts add
/// up to `amount` exactly. Remainder ties go to the smaller `key` (see the module docs);
/// `keys` must be as long as `weights` and should be distinct.
///
/// A zero `amount` always splits into zeros; a positive amount over weights that sum to
/// zero is an error, because nobody could be given it.
///
/// ```
/// use localcare::money::apportion;
/// let parts = apportion(613, &[98, 92, 98, 123, 102, 92], &[0, 1, 2, 3, 4, 5]).unwrap();
/// assert_eq!(parts, vec![99, 93, 99, 125, 104, 93]);
/// assert_eq!(parts.iter().sum::<i64>(), 613);
/// ```
pub fn apportion(amount: i64, weights: &[u64], keys: &[u32]) -> Result<Vec<i64>, MoneyError> {
    let mut parts = vec![0; weights.len()];
    apportion_into(amount, weights, keys, &mut parts, &mut Scratch::default())?;
    Ok(parts)
}

/// Working space of [`apportion_into`], kept by a caller between calls so that a hot
/// loop over many splits allocates nothing. Its contents mean nothing between calls.
#[derive(Debug, Default)]
pub struct Scratch {
    /// Remainders, keys and positions when every product fits in 64 bits (the usual case).
    narrow: Vec<(u64, u32, u32)>,
    /// The same in 128 bits, for the rare split whose products do not fit in 64.
    wide: Vec<(u128, u32, u32)>,
}

impl Scratch {
    /// The 64-bit remainders' space, for splits that work out their own quotients.
    pub(crate) fn narrow_mut(&mut self) -> &mut Vec<(u64, u32, u32)> {
        &mut self.narrow
    }
}

/// [`apportion`] into a caller-provided slice, reusing `scratch` between calls so a hot
/// loop over many small splits allocates nothing.
pub fn apportion_into(
    amount: i64,
    weights: &[u64],
    keys: &[u32],
    out: &mut [i64],
    scratch: &mut Scratch,
) -> Result<(), MoneyError> {
    assert_eq!(weights.len(), keys.len(), "one key per weight");
    assert_eq!(weights.len(), out.len(), "one output slot per weight");
    if amount < 0 {
        return Err(MoneyError::Negative(amount));
    }
    if amount == 0 {
        out.fill(0);
        return Ok(());
    }
    let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if total == 0 {
        return Err(MoneyError::ZeroWeight { amount });
    }
    let mut given: i64 = 0;
    let max_w = weights.iter().copied().max().unwrap_or(0);
    if total <= u128::from(u64::MAX)
        && u128::from(amount as u64) * u128::from(max_w) <= u128::from(u64::MAX)
    {
        // Every product fits in 64 bits: the same arithmetic with the machine's own
        // division, several times faster than 128-bit division.
        let (amount_u, total) = (amount as u64, total as u64);
        let rems = &mut scratch.narrow;
        rems.clear();
        for (i, (&w, slot)) in weights.iter().zip(out.iter_mut()).enumerate() {
            let exact = amount_u * w;
            let (floor, rem) = (exact / total, exact % total);
            *slot = floor as i64;
            given += floor as i64;
            if rem != 0 {
                rems.push((rem, keys[i], i as u32));
            }
        }
        give_leftover_pence(amount - given, rems, out);
    } else {
        let rems = &mut scratch.wide;
        rems.clear();
        let amount_u = amount as u128; // amount > 0 here
        for (i, (&w, slot)) in weights.iter().zip(out.iter_mut()).enumerate() {
            // amount < 2^63 and w < 2^64, so the product fits in u128.
            let exact = amount_u * u128::from(w);
            let floor = exact / total;
            let rem = exact % total;
            // floor <= amount, so it fits in i64.
            *slot = floor as i64;
            given += floor as i64;
            if rem != 0 {
                rems.push((rem, keys[i], i as u32));
            }
        }
        give_leftover_pence(amount - given, rems, out);
    }
    Ok(())
}

/// Hands the `left` pence that flooring left over, one each, to the largest remainders;
/// equal remainders go to the smaller key. There are fewer pence left than weights with a
/// remainder, so a selection (linear time) finds who gets one; no full sort is needed.
pub(crate) fn give_leftover_pence<R: Ord + Copy>(
    left: i64,
    rems: &mut [(R, u32, u32)],
    out: &mut [i64],
) {
    let left = left as usize;
    debug_assert!(left <= rems.len());
    if left == 0 {
        return;
    }
    if left < rems.len() {
        rems.select_nth_unstable_by(left - 1, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    }
    for &(_, _, i) in &rems[..left] {
        out[i as usize] += 1;
    }
}

/// Multiplies pence by a fixed-point rate and rounds down (toward zero for the
/// non-negative amounts it is used on). Used where a share is taken off the top, such as
/// a unit's retained share: what the floor leaves goes on down the tree.
pub fn mul_fixed_floor(amount: i64, rate: u64) -> Result<i64, MoneyError> {
    let p = i128::from(amount) * i128::from(rate) / i128::from(FIXED_ONE);
    i64::try_from(p).map_err(|_| MoneyError::Overflow)
}

/// Parses an amount of money into pence.
///
/// Accepted: pounds with at most two decimals (`617400000`, `617,400,000.00`,
/// `£617.4m`, `12.5k`, `1.2bn`), or whole pence with a `p` suffix (`61740000000p`).
/// Commas, underscores and spaces between digits are ignored. Negative amounts and
/// fractions of a penny are errors.
///
/// ```
/// use localcare::money::parse_money;
/// assert_eq!(parse_money("£617.4m").unwrap(), 61_740_000_000);
/// assert_eq!(parse_money("613p").unwrap(), 613);
/// assert_eq!(parse_money("1,000.50").unwrap(), 100_050);
/// assert!(parse_money("0.001").is_err());
/// assert!(parse_money("1,0,0").is_err()); // separators group digits in threes
/// ```
pub fn parse_money(text: &str) -> Result<i64, MoneyError> {
    let err = |why| MoneyError::Parse {
        text: text.to_string(),
        why,
    };
    let body = text.trim();
    if !separators_group_thousands(body.strip_prefix('£').unwrap_or(body).trim_start()) {
        return Err(err(
            "separators (`,`, `_` or a space) must group the digits in threes, as in 1,000,000",
        ));
    }
    let mut s: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    if let Some(rest) = s.strip_prefix('£') {
        s = rest.to_string();
    }
    if let Some(rest) = s.strip_prefix('-') {
        // `-0` (or `-0.00`, `-0p`) is zero, not a negative amount.
        let zero = !rest.is_empty()
            && rest
                .trim_end_matches(['p', 'm', 'k'])
                .trim_end_matches("bn")
                .bytes()
                .all(|b| b == b'0' || b == b'.');
        if !zero {
            return Err(err("it is negative"));
        }
        s = rest.to_string();
    }
    if let Some(p) = s.strip_suffix('p') {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("pence must be a whole number"));
        }
        return p.parse::<i64>().map_err(|_| MoneyError::Overflow);
    }
    let lower = s.to_ascii_lowercase();
    let (num, mult) = if let Some(n) = lower.strip_suffix("bn") {
        (n, 1_000_000_000i64)
    } else if let Some(n) = lower.strip_suffix('m') {
        (n, 1_000_000)
    } else if let Some(n) = lower.strip_suffix('k') {
        (n, 1_000)
    } else {
        (lower.as_str(), 1)
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(err(
            "expected pounds such as 617400000.00 or £617.4m, or pence such as 613p",
        ));
    }
    let pounds: Decimal = num.parse().map_err(|_| err("not a number"))?;
    let pence = pounds
        .checked_mul(Decimal::from(mult))
        .and_then(|p| p.checked_mul(Decimal::from(100)))
        .ok_or(MoneyError::Overflow)?;
    if !pence.fract().is_zero() {
        return Err(err("it has a fraction of a penny"));
    }
    pence.to_i64().ok_or(MoneyError::Overflow)
}

/// Whether every digit separator (`,`, `_`, space) sits between a digit and a group of
/// exactly three digits, so `1,000` and `617_400_000` pass and `1,0,0` does not.
fn separators_group_thousands(text: &str) -> bool {
    let b = text.as_bytes();
    let is_sep = |c: u8| matches!(c, b',' | b'_' | b' ');
    (0..b.len()).filter(|&i| is_sep(b[i])).all(|i| {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let next = b.get(i + 1 + digits).copied();
        i > 0
            && b[i - 1].is_ascii_digit()
            && digits == 3
            && !next.is_some_and(|c| c.is_ascii_digit())
    })
}

/// Pence shown as pounds with two decimals and thousands separators, such as
/// `£617,400,000.00` or `-£12.05`.
pub struct Pounds(pub i64);

impl fmt::Display for Pounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        WidePounds(i128::from(self.0)).fmt(f)
    }
}

/// [`Pounds`] for sums that may pass `i64` (such as what several growth floors need
/// together), so a message never shows a saturated amount.
pub(crate) struct WidePounds(pub i128);

impl fmt::Display for WidePounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let pounds = group_digits(&(abs / 100).to_string());
        write!(f, "{sign}£{pounds}.{:02}", abs % 100)
    }
}

/// A decimal's text, as its `Display` writes it (every digit of its scale), appended
/// to `out` without the formatting machinery for the common case.
pub fn write_decimal(out: &mut String, d: Decimal) {
    let m = d.mantissa();
    match u64::try_from(m) {
        Ok(m) if !d.is_sign_negative() && d.scale() <= 19 => {
            let scale = d.scale() as usize;
            if scale == 0 {
                crate::digits::push_padded(out, m, 1);
            } else {
                let p = 10u128.pow(d.scale());
                crate::digits::push_uint(out, u128::from(m) / p);
                out.push('.');
                crate::digits::push_padded(out, (u128::from(m) % p) as u64, scale);
            }
        }
        _ => {
            use std::fmt::Write;
            let _ = write!(out, "{d}");
        }
    }
}

/// Pence as plain pounds with two decimals (`617400000.00`), for CSV and JSON.
pub fn pounds_plain(pence: i64) -> String {
    let mut s = String::with_capacity(16);
    write_pounds_plain(&mut s, pence);
    s
}

/// [`pounds_plain`], appended to `out`.
pub fn write_pounds_plain(out: &mut String, pence: i64) {
    crate::digits::push_fixed(out, pence < 0, pence.unsigned_abs(), 100, 2);
}

/// Millionths as an exact decimal with six places (`1234567` is `1.234567`): weighted
/// populations in output tables.
pub fn micro_text(micro: u64) -> String {
    let mut s = String::with_capacity(16);
    crate::digits::push_fixed(&mut s, false, micro, 1_000_000, 6);
    s
}

/// Billionths of a person as exact decimal text with at least six places (`1500000`
/// is `0.001500`, `1500001` is `0.001500001`): weighted populations, which are held in
/// billionths so that nine-decimal published figures are kept exactly; six places at
/// least so that a value exact to the millionth reads as it always has.
pub fn nano_text(nano: u64) -> String {
    let mut s = String::with_capacity(20);
    write_nano_text(&mut s, nano);
    s
}

/// [`nano_text`], appended to `out`.
pub fn write_nano_text(out: &mut String, nano: u64) {
    crate::digits::push_nano(out, nano);
}

/// Parts per million as a signed fraction with six places (`-125000` is `-0.125000`):
/// distances from target in output tables.
pub fn ppm_text(ppm: i64) -> String {
    let mut s = String::with_capacity(16);
    write_ppm_text(&mut s, ppm);
    s
}

/// [`ppm_text`], appended to `out`.
pub fn write_ppm_text(out: &mut String, ppm: i64) {
    crate::digits::push_fixed(out, ppm < 0, ppm.unsigned_abs(), 1_000_000, 6);
}

/// A rate, share or score as exact decimal text: every digit the value has, and at
/// least six places (`0.035000`), so the text never depends on how an input was spelt
/// (`0.9` and `0.90` both give `0.900000`). Output tables write rates so in every face.
///
/// ```
/// use localcare::money::decimal_text;
/// assert_eq!(decimal_text("0.90".parse().unwrap()), "0.900000");
/// assert_eq!(decimal_text("0.0312345678".parse().unwrap()), "0.0312345678");
/// assert_eq!(decimal_text("-0".parse().unwrap()), "0.000000");
/// ```
pub fn decimal_text(d: Decimal) -> String {
    let mut r = d.normalize();
    if r.scale() < 6 {
        r.rescale(6);
    }
    if r.is_zero() {
        r.set_sign_positive(true);
    }
    r.to_string()
}

/// `1234567` as `1,234,567`.
pub fn group_thousands(n: u64) -> String {
    let mut out = String::with_capacity(26);
    push_thousands(n, &mut out);
    out
}

/// Writes `n` with a comma every three digits, as [`group_thousands`] gives it, without
/// allocating: the whole-table paths write a million of these into one buffer.
///
/// ```
/// let mut s = String::from("population ");
/// localcare::money::push_thousands(1_234_567, &mut s);
/// assert_eq!(s, "population 1,234,567");
/// ```
#[inline]
pub fn push_thousands<W: std::fmt::Write + ?Sized>(n: u64, out: &mut W) {
    // 20 digits and 6 commas at most.
    let mut buf = [0u8; 26];
    let mut at = buf.len();
    let mut n = n;
    let mut digits = 0;
    loop {
        if digits > 0 && digits % 3 == 0 {
            at -= 1;
            buf[at] = b',';
        }
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        digits += 1;
        if n == 0 {
            break;
        }
    }
    // ASCII digits and commas only.
    let _ = out.write_str(std::str::from_utf8(&buf[at..]).unwrap_or_default());
}

/// A string of digits with a comma every three from the right.
pub fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `pence` times `share`, to the nearest penny (a half penny to the even one): an
/// amount taken as a share of another, such as a spend of 96.5% of a benchmark.
///
/// ```
/// use localcare::money::scale_pence;
/// assert_eq!(scale_pence(1_000, "0.965".parse().unwrap()), Ok(965));
/// assert_eq!(scale_pence(5, "0.5".parse().unwrap()), Ok(2));
/// ```
pub fn scale_pence(pence: i64, share: Decimal) -> Result<i64, MoneyError> {
    Decimal::from(pence)
        .checked_mul(share)
        .map(|d| d.round())
        .and_then(|d| i64::try_from(d).ok())
        .ok_or(MoneyError::Overflow)
}

/// A share as a percentage, rounded to `dp` decimal places (or exact with `None`),
/// without trailing zeros beyond them: `0.0312` is `3.12` to 2 places.
///
/// ```
/// use localcare::money::percent;
/// assert_eq!(percent("0.03125".parse().unwrap(), Some(2)), "3.12");
/// assert_eq!(percent("0.3".parse().unwrap(), None), "30");
/// ```
pub fn percent(share: Decimal, dp: Option<u32>) -> String {
    let p = share * Decimal::ONE_HUNDRED;
    match dp {
        Some(dp) => p.round_dp(dp).to_string(),
        None => p.normalize().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The short-figure reader and writer and the fixed-point fast path agree with
    /// the decimal crate, value, scale and text.
    #[test]
    fn short_decimals_as_the_decimal_crate_reads_and_writes_them() {
        for t in [
            "0",
            "7",
            "007",
            "0.0",
            "0.000",
            "4068.906409",
            "8843.471177",
            "123456789012345678",
            "0.000000001",
            "0.0000000015",
            "1.5",
            "99999999.999999999",
            "10.10",
        ] {
            let fast = parse_short_unsigned(t).unwrap();
            let slow: Decimal = t.parse().unwrap();
            assert_eq!((fast, fast.scale()), (slow, slow.scale()), "{t}");
            let mut s = String::new();
            write_decimal(&mut s, fast);
            assert_eq!(s, slow.to_string(), "{t}");
            let exact = slow
                .checked_mul(Decimal::from(FIXED_ONE))
                .unwrap()
                .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointNearestEven)
                .to_u64();
            assert_eq!(to_fixed(slow).ok(), exact, "{t}");
        }
        for t in [
            "",
            ".",
            ".5",
            "5.",
            "1e3",
            "-1",
            "+1",
            "1_0",
            "1234567890123456789",
            "9999999999999999999",
        ] {
            assert_eq!(parse_short_unsigned(t), None, "{t}");
        }
        for t in ["-1.50", "0.0000000000000000000000000001", "-0.0"] {
            let d: Decimal = t.parse().unwrap();
            let mut s = String::new();
            write_decimal(&mut s, d);
            assert_eq!(s, d.to_string(), "{t}");
        }
    }

    proptest! {
        #[test]
        fn short_decimals_read_as_the_decimal_crate_does(int in 0u64..1_000_000_000, frac in 0u64..1_000_000_000, places in 0usize..10) {
            let t = if places == 0 { int.to_string() } else {
                format!("{int}.{:0width$}", frac % 10u64.pow(places as u32), width = places)
            };
            let fast = parse_short_unsigned(&t).unwrap();
            let slow: Decimal = t.parse().unwrap();
            prop_assert_eq!((fast, fast.scale()), (slow, slow.scale()));
            let mut s = String::new();
            write_decimal(&mut s, fast);
            prop_assert_eq!(s, slow.to_string());
        }
    }

    #[test]
    fn golden_613_pence() {
        let parts = apportion(613, &[98, 92, 98, 123, 102, 92], &[0, 1, 2, 3, 4, 5]).unwrap();
        assert_eq!(parts, vec![99, 93, 99, 125, 104, 93]);
    }

    #[test]
    fn one_penny_over_three_goes_to_smallest_key_whatever_the_order() {
        assert_eq!(apportion(1, &[1, 1, 1], &[0, 1, 2]).unwrap(), vec![1, 0, 0]);
        assert_eq!(apportion(1, &[1, 1, 1], &[2, 0, 1]).unwrap(), vec![0, 1, 0]);
        assert_eq!(apportion(2, &[1, 1, 1], &[2, 1, 0]).unwrap(), vec![0, 1, 1]);
    }

    #[test]
    fn zero_weight_is_an_error_unless_amount_is_zero() {
        assert_eq!(
            apportion(5, &[0, 0], &[0, 1]),
            Err(MoneyError::ZeroWeight { amount: 5 })
        );
        assert_eq!(apportion(0, &[0, 0], &[0, 1]).unwrap(), vec![0, 0]);
        assert_eq!(apportion(-1, &[1], &[0]), Err(MoneyError::Negative(-1)));
    }

    #[test]
    fn extreme_amounts_do_not_overflow() {
        let parts = apportion(i64::MAX, &[u64::MAX, u64::MAX, 1], &[0, 1, 2]).unwrap();
        assert_eq!(
            parts.iter().map(|&p| i128::from(p)).sum::<i128>(),
            i128::from(i64::MAX)
        );
    }

    #[test]
    fn money_parsing() {
        assert_eq!(parse_money("617400000").unwrap(), 61_740_000_000);
        assert_eq!(parse_money("£1.2bn").unwrap(), 120_000_000_000);
        assert_eq!(parse_money("12.5k").unwrap(), 1_250_000);
        assert!(matches!(parse_money("-5"), Err(MoneyError::Parse { .. })));
        assert!(matches!(parse_money("abc"), Err(MoneyError::Parse { .. })));
        for bad in ["1,0,0", "1,00", ",100", "100,", "1,0000", "1_00_000"] {
            assert!(
                matches!(parse_money(bad), Err(MoneyError::Parse { .. })),
                "{bad}"
            );
        }
        for (good, pence) in [
            ("£ 617,400,000.00", 61_740_000_000),
            ("617 400 000", 61_740_000_000),
            ("1_000p", 1_000),
            ("£1,000.5k", 100_050_000),
        ] {
            assert_eq!(parse_money(good).unwrap(), pence, "{good}");
        }
        assert_eq!(
            parse_money("99999999999999999999"),
            Err(MoneyError::Overflow)
        );
        assert_eq!(Pounds(61_740_000_000).to_string(), "£617,400,000.00");
        assert_eq!(Pounds(-1205).to_string(), "-£12.05");
        assert_eq!(pounds_plain(5), "0.05");
    }

    proptest! {
        #[test]
        fn push_thousands_groups_as_group_digits(n in any::<u64>()) {
            let mut s = String::new();
            push_thousands(n, &mut s);
            prop_assert_eq!(s, group_digits(&n.to_string()));
        }
    }

    proptest! {
        #[test]
        fn parts_add_up_and_are_within_a_penny(
            amount in 0i64..=i64::MAX / 2,
            weights in proptest::collection::vec(0u64..=1_000_000_000_000, 1..40),
        ) {
            let keys: Vec<u32> = (0..weights.len() as u32).collect();
            let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
            prop_assume!(total > 0);
            let parts = apportion(amount, &weights, &keys).unwrap();
            prop_assert_eq!(parts.iter().map(|&p| i128::from(p)).sum::<i128>(), i128::from(amount));
            for (p, w) in parts.iter().zip(&weights) {
                prop_assert!(*p >= 0);
                // |part - amount*w/W| < 1  <=>  |part*W - amount*w| < W
                let exact = amount as u128 * u128::from(*w);
                let scaled = *p as u128 * total;
                prop_assert!(scaled.abs_diff(exact) < total);
            }
        }

        #[test]
        fn shuffling_rows_moves_no_penny(
            amount in 0i64..1_000_000,
            weights in proptest::collection::vec(0u64..50, 2..20),
            seed in any::<u64>(),
        ) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            let keys: Vec<u32> = (0..weights.len() as u32).collect();
            let base = apportion(amount, &weights, &keys).unwrap();
            // A deterministic permutation from the seed.
            let mut perm: Vec<usize> = (0..weights.len()).collect();
            let mut s = seed;
            for i in (1..perm.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                perm.swap(i, (s >> 33) as usize % (i + 1));
            }
            let w2: Vec<u64> = perm.iter().map(|&i| weights[i]).collect();
            let k2: Vec<u32> = perm.iter().map(|&i| keys[i]).collect();
            let shuffled = apportion(amount, &w2, &k2).unwrap();
            for (j, &i) in perm.iter().enumerate() {
                prop_assert_eq!(shuffled[j], base[i]);
            }
        }
    }
}

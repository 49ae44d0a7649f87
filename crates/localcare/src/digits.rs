//! Decimal text of integers and fixed-point figures, appended to a caller's buffer.
//!
//! Output tables write hundreds of thousands of these (pounds, weighted populations,
//! need indices); going through `format!` built a `String` per cell and ran the
//! formatting machinery for each. These write the same characters straight into one
//! column's buffer. `money`'s `*_text` functions are these into a fresh `String`.

/// Appends `v` in decimal.
pub(crate) fn push_uint(out: &mut String, v: u128) {
    if let Ok(small) = u64::try_from(v) {
        push_u64(out, small, 1);
    } else {
        // Rare (need indices past 18 digits): the standard formatting is fine.
        use std::fmt::Write;
        let _ = write!(out, "{v}");
    }
}

/// Appends `v` in decimal with at least `width` digits (zero-padded on the left).
pub(crate) fn push_padded(out: &mut String, v: u64, width: usize) {
    push_u64(out, v, width);
}

/// `00`, `01`, ... `99`: two digits per division, half the divisions of one at a time.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

fn push_u64(out: &mut String, mut v: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    while v >= 10 {
        let d = (v % 100) as usize;
        v /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[2 * d..2 * d + 2]);
    }
    if v > 0 {
        i -= 1;
        buf[i] = b'0' + v as u8;
    }
    let start = i.min(buf.len() - width.clamp(1, buf.len()));
    // ASCII digits, a byte each: pushed as they are, with no UTF-8 check of the run.
    out.extend(buf[start..].iter().map(|&b| char::from(b)));
}

/// `sign int.frac` with `places` decimal places of a scaled magnitude.
pub(crate) fn push_fixed(out: &mut String, negative: bool, abs: u64, scale: u64, places: usize) {
    if negative {
        out.push('-');
    }
    push_u64(out, abs / scale, 1);
    out.push('.');
    push_u64(out, abs % scale, places);
}

/// Billionths as text with at least six places and no trailing zeros past them.
pub(crate) fn push_nano(out: &mut String, nano: u64) {
    push_u64(out, nano / 1_000_000_000, 1);
    out.push('.');
    let mut frac = nano % 1_000_000_000;
    let mut places = 9;
    while places > 6 && frac % 10 == 0 {
        frac /= 10;
        places -= 1;
    }
    push_u64(out, frac, places);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut String)) -> String {
        let mut s = String::new();
        f(&mut s);
        s
    }

    #[test]
    fn the_same_text_as_format() {
        for v in [0u64, 1, 9, 10, 99, 100, 12345, u64::MAX] {
            assert_eq!(with(|s| push_uint(s, v.into())), format!("{v}"));
            assert_eq!(with(|s| push_padded(s, v, 9)), format!("{v:09}"));
        }
        let big = u128::from(u64::MAX) * 7;
        assert_eq!(with(|s| push_uint(s, big)), big.to_string());
        assert_eq!(with(|s| push_fixed(s, true, 12345, 100, 2)), "-123.45");
        assert_eq!(with(|s| push_fixed(s, false, 5, 1_000_000, 6)), "0.000005");
        assert_eq!(with(|s| push_nano(s, 1_500_000)), "0.001500");
        assert_eq!(with(|s| push_nano(s, 1_500_001)), "0.001500001");
        assert_eq!(with(|s| push_nano(s, 12_340_000_000)), "12.340000");
        assert_eq!(with(|s| push_nano(s, 12_345_678_900)), "12.3456789");
        assert_eq!(with(|s| push_nano(s, 0)), "0.000000");
    }
}

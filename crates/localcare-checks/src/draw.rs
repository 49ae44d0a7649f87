//! Drawing structured values from fuzz bytes: the numbers the engines take, mostly in
//! the ranges they accept (so that the fuzzer reaches the arithmetic) and now and then
//! anything at all (so that it reaches the refusals and the overflow checks).

use localcare::rust_decimal::Decimal;

use crate::Bytes;

impl Bytes<'_> {
    /// A flag.
    pub(crate) fn flag(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// An index below `n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::from(self.u8()) % n
        }
    }

    /// `Some` of a drawn value one time in two.
    pub(crate) fn maybe<T>(&mut self, draw: impl FnOnce(&mut Self) -> T) -> Option<T> {
        self.flag().then(|| draw(self))
    }

    /// Any decimal of up to 64 bits and 28 places, of either sign.
    pub(crate) fn any_decimal(&mut self) -> Decimal {
        let mantissa = self.i64() >> (self.u8() % 64);
        let scale = u32::from(self.u8() % 29);
        Decimal::try_from_i128_with_scale(i128::from(mantissa), scale).unwrap_or_default()
    }

    /// A share: seven times in eight a whole number of millionths in [0, 1.05] (a few
    /// past 1), else any decimal.
    pub(crate) fn share(&mut self) -> Decimal {
        if self.u8() % 8 == 0 {
            self.any_decimal()
        } else {
            Decimal::new(i64::from(self.u32() % 1_050_001), 6)
        }
    }

    /// A positive decimal quantity: seven times in eight hundredths up to 100, else any
    /// decimal.
    pub(crate) fn quantity(&mut self) -> Decimal {
        if self.u8() % 8 == 0 {
            self.any_decimal()
        } else {
            Decimal::new(i64::from(self.u32() % 10_001), 2)
        }
    }

    /// Pence: seven times in eight up to £10m, else any 64-bit number.
    pub(crate) fn pence(&mut self) -> i64 {
        if self.u8() % 8 == 0 {
            self.i64() >> (self.u8() % 64)
        } else {
            i64::from(self.u32() % 1_000_000_001)
        }
    }

    /// A count: seven times in eight below a million, else any 64-bit number.
    pub(crate) fn count(&mut self) -> i64 {
        if self.u8() % 8 == 0 {
            self.i64()
        } else {
            i64::from(self.u32() % 1_000_000)
        }
    }

    /// A shuffle of `v`, Fisher–Yates on the bytes.
    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.u32() as usize % (i + 1);
            v.swap(i, j);
        }
    }
}

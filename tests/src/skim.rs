//! Reading a MessagePack frame only as far as a lean tablet looks (the goals bench's
//! `benches/goals/lean.rs`), without building it: a cursor over the frame's bytes that reads
//! a map's length, a string or an integer where asked and steps over any other value by its
//! length alone.
//!
//! Serde's way of passing over the fields a struct does not name (`IgnoredAny`, which
//! `rmp_serde` walks value by value) checks every string it passes as UTF-8. In the stall
//! part, where 1,000 lean tablets read 1.3 million events a second on the two cores they share
//! with the hub, that check and the walk were about half of the bench's own CPU.

/// A value read, or why the frame could not be: truncated, or not what was expected there.
pub type Read<T> = Result<T, String>;

/// A cursor over one MessagePack value (a frame, or a bundle of them).
pub struct Skim<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Skim<'a> {
    pub fn new(bytes: &'a [u8]) -> Skim<'a> {
        Skim { bytes, at: 0 }
    }

    /// The next value's first byte, not consumed.
    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// An array's length (its elements follow).
    pub fn array(&mut self) -> Read<usize> {
        match self.byte()? {
            m @ 0x90..=0x9f => Ok((m & 0x0f) as usize),
            0xdc => self.number(2).map(|n| n as usize),
            0xdd => self.number(4).map(|n| n as usize),
            m => Err(self.unexpected("an array", m)),
        }
    }

    /// A map's number of entries (each a key, then its value).
    pub fn map(&mut self) -> Read<usize> {
        match self.byte()? {
            m @ 0x80..=0x8f => Ok((m & 0x0f) as usize),
            0xde => self.number(2).map(|n| n as usize),
            0xdf => self.number(4).map(|n| n as usize),
            m => Err(self.unexpected("a map", m)),
        }
    }

    /// A string's bytes, unchecked (the caller checks what it keeps).
    pub fn str(&mut self) -> Read<&'a [u8]> {
        let len = match self.byte()? {
            m @ 0xa0..=0xbf => (m & 0x1f) as usize,
            0xd9 => self.number(1)? as usize,
            0xda => self.number(2)? as usize,
            0xdb => self.number(4)? as usize,
            m => return Err(self.unexpected("a string", m)),
        };
        self.take(len)
    }

    /// A string, or nothing for a nil.
    pub fn str_or_nil(&mut self) -> Read<Option<&'a [u8]>> {
        if self.peek() == Some(0xc0) {
            self.at += 1;
            return Ok(None);
        }
        self.str().map(Some)
    }

    /// An unsigned integer.
    pub fn uint(&mut self) -> Read<u64> {
        match self.byte()? {
            m @ 0x00..=0x7f => Ok(m as u64),
            0xcc => self.number(1),
            0xcd => self.number(2),
            0xce => self.number(4),
            0xcf => self.number(8),
            m => Err(self.unexpected("an unsigned integer", m)),
        }
    }

    /// Steps over the next value, whatever it is, and everything inside it.
    pub fn skip(&mut self) -> Read<()> {
        // Values still to step over: a map or an array adds its entries.
        let mut left: usize = 1;
        while left > 0 {
            left -= 1;
            let m = self.byte()?;
            let (inside, len) = match m {
                0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => (0, 0),
                0x80..=0x8f => (2 * (m & 0x0f) as usize, 0),
                0x90..=0x9f => ((m & 0x0f) as usize, 0),
                0xa0..=0xbf => (0, (m & 0x1f) as usize),
                0xc4 | 0xd9 => (0, self.number(1)? as usize),
                0xc5 | 0xda => (0, self.number(2)? as usize),
                0xc6 | 0xdb => (0, self.number(4)? as usize),
                // An extension: its length, then a type byte, then the data.
                0xc7 => (0, self.number(1)? as usize + 1),
                0xc8 => (0, self.number(2)? as usize + 1),
                0xc9 => (0, self.number(4)? as usize + 1),
                0xca => (0, 4),
                0xcb => (0, 8),
                0xcc | 0xd0 => (0, 1),
                0xcd | 0xd1 => (0, 2),
                0xce | 0xd2 => (0, 4),
                0xcf | 0xd3 => (0, 8),
                0xd4 => (0, 2),
                0xd5 => (0, 3),
                0xd6 => (0, 5),
                0xd7 => (0, 9),
                0xd8 => (0, 17),
                0xdc => (self.number(2)? as usize, 0),
                0xdd => (self.number(4)? as usize, 0),
                0xde => (2 * self.number(2)? as usize, 0),
                0xdf => (2 * self.number(4)? as usize, 0),
                _ => return Err(self.unexpected("a value", m)),
            };
            self.take(len)?;
            // Every value takes at least a byte: more than are left is a lie, not a frame.
            left = left
                .checked_add(inside)
                .filter(|l| *l <= self.bytes.len() - self.at)
                .ok_or_else(|| format!("a container at byte {} longer than the frame", self.at))?;
        }
        Ok(())
    }

    fn byte(&mut self) -> Read<u8> {
        let b = self
            .peek()
            .ok_or("the frame ends in the middle of a value")?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, len: usize) -> Read<&'a [u8]> {
        let end = self
            .at
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or("the frame ends in the middle of a value")?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    /// A big-endian number of `len` bytes.
    fn number(&mut self, len: usize) -> Read<u64> {
        Ok(self
            .take(len)?
            .iter()
            .fold(0u64, |n, b| (n << 8) | u64::from(*b)))
    }

    fn unexpected(&self, wanted: &str, marker: u8) -> String {
        format!(
            "{wanted} expected at byte {}, found the marker {marker:#04x}",
            self.at - 1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Inner {
        kind: &'static str,
        text: Option<&'static str>,
    }

    #[derive(Serialize)]
    struct Sample {
        skipped: Vec<(i64, f64, bool, Option<u8>, String)>,
        bin: bin::Bytes,
        big: u64,
        inner: Inner,
    }

    /// A run of bytes written as MessagePack's `bin`, not as an array of numbers.
    mod bin {
        pub struct Bytes(pub Vec<u8>);
        impl serde::Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&self.0)
            }
        }
    }

    #[test]
    fn reads_what_it_is_asked_for_and_steps_over_the_rest() {
        let sample = Sample {
            skipped: vec![
                (-5, 1.5, true, None, "呼叫".repeat(40)),
                (-70_000, -0.25, false, Some(9), String::new()),
            ],
            bin: bin::Bytes(vec![7; 300]),
            big: u64::MAX,
            inner: Inner {
                kind: "free",
                text: Some("收到请回答"),
            },
        };
        let bytes = rmp_serde::to_vec_named(&sample).unwrap();
        let mut s = Skim::new(&bytes);
        assert_eq!(s.map().unwrap(), 4);
        assert_eq!(s.str().unwrap(), b"skipped");
        s.skip().unwrap();
        assert_eq!(s.str().unwrap(), b"bin");
        s.skip().unwrap();
        assert_eq!(s.str().unwrap(), b"big");
        assert_eq!(s.uint().unwrap(), u64::MAX);
        assert_eq!(s.str().unwrap(), b"inner");
        assert_eq!(s.map().unwrap(), 2);
        assert_eq!(s.str().unwrap(), b"kind");
        assert_eq!(s.str().unwrap(), b"free");
        assert_eq!(s.str().unwrap(), b"text");
        assert_eq!(s.str_or_nil().unwrap(), Some("收到请回答".as_bytes()));
        assert_eq!(s.peek(), None);
    }

    #[test]
    fn a_truncated_or_lying_frame_is_an_error_not_a_panic() {
        let bytes = rmp_serde::to_vec_named(&Inner {
            kind: "free",
            text: Some("x"),
        })
        .unwrap();
        for cut in 0..bytes.len() {
            let mut s = Skim::new(&bytes[..cut]);
            assert!(s.skip().is_err(), "cut at {cut}");
        }
        // An array that says it holds four billion values, in six bytes.
        let mut s = Skim::new(&[0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]);
        assert!(s.skip().unwrap_err().contains("longer than the frame"));
        let mut s = Skim::new(&[0x01]);
        assert!(s.str().unwrap_err().contains("a string expected at byte 0"));
    }
}

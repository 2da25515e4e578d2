//! Finding an integer a client cannot hold exactly (beyond ±[`MAX_SAFE_INTEGER`]) in any value,
//! by walking what it serializes, field by field, without building anything.
//!
//! The hub looks at every command it is sent this way. It used to turn each command into a
//! `serde_json::Value` first (a map, a string and an allocation for every field), which was
//! several per cent of the switchboard's thread at tens of thousands of calls a second; this walk
//! allocates nothing and stops at the first such integer.

use serde::ser::{self, Serialize};

use crate::envelope::MAX_SAFE_INTEGER;

/// The first integer in `value` beyond ±[`MAX_SAFE_INTEGER`], if any. Map keys are not looked
/// at (a key is a name, never a number a client computes with); floats are not integers.
pub fn first_unsafe<T: Serialize + ?Sized>(value: &T) -> Option<i128> {
    match value.serialize(Walk) {
        Err(Stop::Found(n)) => Some(n),
        Ok(()) | Err(Stop::Failed) => None,
    }
}

/// Why the walk stopped early.
#[derive(Debug)]
enum Stop {
    Found(i128),
    /// The value could not be serialized at all.
    Failed,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Found(n) => write!(f, "the number {n} is beyond 2^53 − 1"),
            Stop::Failed => f.write_str("the value cannot be serialized"),
        }
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Stop::Failed
    }
}

#[derive(Clone, Copy)]
struct Walk;

fn integer(n: i128) -> Result<(), Stop> {
    if n.unsigned_abs() > u128::from(MAX_SAFE_INTEGER) {
        Err(Stop::Found(n))
    } else {
        Ok(())
    }
}

/// Serializer methods for values that hold no integer a client could misread.
macro_rules! nothing_to_find {
    ($($method:ident($($ty:ty),*)),* $(,)?) => {$(
        fn $method(self, $(_: $ty),*) -> Result<(), Stop> {
            Ok(())
        }
    )*};
}

/// Serializer methods that start a compound value: its parts are walked one by one.
macro_rules! compound {
    ($($method:ident($($ty:ty),*)),* $(,)?) => {$(
        fn $method(self, $(_: $ty),*) -> Result<Walk, Stop> {
            Ok(self)
        }
    )*};
}

impl ser::Serializer for Walk {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Walk;
    type SerializeTuple = Walk;
    type SerializeTupleStruct = Walk;
    type SerializeTupleVariant = Walk;
    type SerializeMap = Walk;
    type SerializeStruct = Walk;
    type SerializeStructVariant = Walk;

    nothing_to_find!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    compound!(
        serialize_seq(Option<usize>),
        serialize_tuple(usize),
        serialize_tuple_struct(&'static str, usize),
        serialize_tuple_variant(&'static str, u32, &'static str, usize),
        serialize_map(Option<usize>),
        serialize_struct(&'static str, usize),
        serialize_struct_variant(&'static str, u32, &'static str, usize),
    );

    fn serialize_i64(self, v: i64) -> Result<(), Stop> {
        integer(i128::from(v))
    }
    fn serialize_i128(self, v: i128) -> Result<(), Stop> {
        integer(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Stop> {
        integer(i128::from(v))
    }
    fn serialize_u128(self, v: u128) -> Result<(), Stop> {
        integer(i128::try_from(v).unwrap_or(i128::MAX))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        value.serialize(self)
    }
}

/// The parts of a sequence, a tuple or a tuple variant: each element is walked in turn.
macro_rules! walk_elements {
    ($($part:ident::$method:ident),* $(,)?) => {$(
        impl ser::$part for Walk {
            type Ok = ();
            type Error = Stop;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
                value.serialize(Walk)
            }
            fn end(self) -> Result<(), Stop> {
                Ok(())
            }
        }
    )*};
}

walk_elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

/// The parts of a struct or a struct variant: each field's value is walked in turn.
macro_rules! walk_fields {
    ($($part:ident),* $(,)?) => {$(
        impl ser::$part for Walk {
            type Ok = ();
            type Error = Stop;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                _: &'static str,
                value: &T,
            ) -> Result<(), Stop> {
                value.serialize(Walk)
            }
            fn end(self) -> Result<(), Stop> {
                Ok(())
            }
        }
    )*};
}

walk_fields!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Walk {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        value.serialize(Walk)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(serde::Serialize)]
    struct Deep {
        small: u32,
        label: String,
        list: Vec<Option<i64>>,
        by_name: BTreeMap<u64, u64>,
        ratio: f64,
    }

    fn deep(list: Vec<Option<i64>>, value: u64) -> Deep {
        Deep {
            small: u32::MAX,
            label: "收到".into(),
            list,
            by_name: BTreeMap::from([(u64::MAX, value)]),
            ratio: 1e300,
        }
    }

    #[test]
    fn finds_the_first_integer_beyond_two_to_the_53_anywhere_and_nothing_else() {
        let safe = MAX_SAFE_INTEGER as i64;
        assert_eq!(first_unsafe(&deep(vec![Some(safe), None], 7)), None);
        assert_eq!(
            first_unsafe(&deep(vec![None, Some(-safe - 1)], 7)),
            Some(i128::from(-safe - 1))
        );
        // Keys are names: only the value counts.
        assert_eq!(
            first_unsafe(&deep(vec![], MAX_SAFE_INTEGER + 1)),
            Some(1 << 53)
        );
        assert_eq!(first_unsafe(&u128::MAX), Some(i128::MAX));
    }
}

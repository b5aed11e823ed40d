//! The shapes a value can have as serde streams it, and which of them a rule position accepts
//! when its rules name no `type`.
//!
//! Without a declared type, each keyword says what it can check: `min`/`max` numbers,
//! `pattern` strings, `min_length`/`max_length` strings and arrays, `items` arrays, field rules
//! below a position objects. A value that *none* of a position's keywords can check would
//! otherwise pass unchecked (`age: {min: 18}` given `["5"]`, `customer.id` rules given
//! `"customer": 7`), so such a value is a `type_mismatch`. A position whose rules constrain no
//! shape (only `allowed`, `required` or `sensitive`) accepts every shape; `allowed` itself is
//! checked against every value, containers included.

use super::spec::AllowedValue;

/// A set of value shapes, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shapes(u8);

impl Default for Shapes {
    /// Unconstrained, until the compiler says otherwise.
    fn default() -> Self {
        Shapes::ANY
    }
}

impl Shapes {
    /// No shape (only while a set is being built).
    pub(crate) const NONE: Shapes = Shapes(0);
    /// Strings, chars and unit enum variants.
    pub(crate) const STRING: Shapes = Shapes(1);
    /// Integers and floats.
    pub(crate) const NUMBER: Shapes = Shapes(1 << 1);
    /// `true` and `false`.
    pub(crate) const BOOLEAN: Shapes = Shapes(1 << 2);
    /// Sequences, tuples and bytes.
    pub(crate) const ARRAY: Shapes = Shapes(1 << 3);
    /// Structs, maps and enum variants with data.
    pub(crate) const OBJECT: Shapes = Shapes(1 << 4);
    /// Every shape: the position does not constrain it.
    pub(crate) const ANY: Shapes = Shapes(0b1_1111);

    /// Both sets together.
    #[must_use]
    pub(crate) const fn with(self, other: Shapes) -> Shapes {
        Shapes(self.0 | other.0)
    }

    /// Whether `shape` is in the set.
    #[must_use]
    pub(crate) const fn accepts(self, shape: Shapes) -> bool {
        self.0 & shape.0 != 0
    }

    /// The shape of one `allowed` value.
    #[must_use]
    pub(crate) const fn of_allowed(value: &AllowedValue) -> Shapes {
        match value {
            AllowedValue::Bool(_) => Shapes::BOOLEAN,
            AllowedValue::Number(_) => Shapes::NUMBER,
            AllowedValue::String(_) => Shapes::STRING,
        }
    }

    /// The names of the shapes in the set, in a fixed order (`string`, `number`, `boolean`,
    /// `array`, `object`), as rule files spell the types.
    pub(crate) fn names(self) -> impl Iterator<Item = &'static str> {
        [
            (Shapes::STRING, "string"),
            (Shapes::NUMBER, "number"),
            (Shapes::BOOLEAN, "boolean"),
            (Shapes::ARRAY, "array"),
            (Shapes::OBJECT, "object"),
        ]
        .into_iter()
        .filter(move |(shape, _)| self.accepts(*shape))
        .map(|(_, name)| name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_accept_what_they_were_built_from_and_name_it_in_order() {
        let set = Shapes::OBJECT.with(Shapes::STRING);
        assert!(set.accepts(Shapes::STRING) && set.accepts(Shapes::OBJECT));
        assert!(!set.accepts(Shapes::ARRAY) && !set.accepts(Shapes::NUMBER));
        assert_eq!(set.names().collect::<Vec<_>>(), ["string", "object"]);
        assert_eq!(Shapes::ANY.names().count(), 5);
        assert!(!Shapes::NONE.accepts(Shapes::ANY));
    }
}

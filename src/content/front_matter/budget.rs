//! A bound on what front matter grows into once its aliases are expanded, checked by walking the
//! parsed document before any value is built.
//!
//! The pre-parse guard caps size, nesting and the number of `*alias` uses, but a few aliases can
//! still multiply: 33 aliases to a 20,000-item list, each used 33 times a level up, three levels
//! deep, describe 700 million values in 40 KB. `serde_yaml` expands aliases lazily, as its
//! visitor asks for them, so a visitor that only counts (and gives up past the budget) costs at
//! most the budget, in time and in memory, whatever the document claims to hold.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, EnumAccess, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Most values front matter may expand to. Every node counts one, and text counts one more per
/// 64 bytes, so a long string repeated through aliases is bounded too. Front matter that uses
/// no aliases stays far below: 64 KiB of `[0,0,...]` is 32,768 values.
pub const MAX_VALUES: usize = 100_000;

/// Text bytes that count as one more value.
const TEXT_BYTES_PER_VALUE: usize = 64;

/// True when `yaml` expands to more than [`MAX_VALUES`], or so far through aliases that the
/// parser's own repetition limit stops it first (the classic "billion laughs"). Syntax errors
/// are not reported here (the real parse that follows reports them with their location): they
/// count as within budget.
pub fn exceeds(yaml: &str) -> bool {
    let left = Cell::new(MAX_VALUES);
    let exceeded = Cell::new(false);
    let count = Count {
        left: &left,
        exceeded: &exceeded,
    };
    match count.deserialize(serde_yaml::Deserializer::from_str(yaml)) {
        Ok(()) => false,
        Err(e) => exceeded.get() || e.to_string().starts_with("repetition limit exceeded"),
    }
}

/// A visitor that builds nothing and stops once the budget is spent.
#[derive(Clone, Copy)]
struct Count<'a> {
    left: &'a Cell<usize>,
    exceeded: &'a Cell<bool>,
}

impl Count<'_> {
    fn take<E: de::Error>(self, text_bytes: usize) -> Result<(), E> {
        let cost = 1 + text_bytes / TEXT_BYTES_PER_VALUE;
        match self.left.get().checked_sub(cost) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => {
                self.exceeded.set(true);
                Err(E::custom("front matter expands beyond the budget"))
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Count<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Count<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.take(0)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.take(0)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.take(0)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.take(0)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        self.take(text.len())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.take(0)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.take(0)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.take(0)?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.take(0)?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }

    /// A tagged value (`!tag value`): the tag is text, the value is counted like any other.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        use de::VariantAccess;
        let (IgnoredAny, variant) = data.variant()?;
        self.take(0)?;
        variant.newtype_variant_seed(self)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    /// `a` is a list of `items` zeros; each of `levels` levels above it lists the one below
    /// `fanout` times through aliases.
    fn multiplied(items: usize, fanout: usize, levels: usize) -> String {
        let zeros = vec!["0"; items].join(",");
        let mut yaml = format!("a0: &a0 [{zeros}]\n");
        for level in 1..=levels {
            let refs = vec![format!("*a{}", level - 1); fanout].join(", ");
            yaml.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
        }
        yaml
    }

    #[test]
    fn plain_front_matter_is_within_budget() {
        assert!(!exceeds("title: a\ndate: 2024-11-27\ntags: [a, b]\n"));
        // The largest list 64 KiB can hold without aliases.
        let zeros = vec!["0"; 32_000].join(",");
        assert!(!exceeds(&format!("x: [{zeros}]")));
        assert!(!exceeds("x: &x [1, 2]\ny: *x\nz: !custom {a: *x}\n"));
    }

    #[test]
    fn syntax_errors_are_left_to_the_parser() {
        assert!(!exceeds("title: \"open"));
        assert!(!exceeds("a: *missing"));
        assert!(!exceeds("\ttabbed: 1"));
    }

    #[test]
    fn multiplying_aliases_are_refused_quickly() {
        let started = Instant::now();
        // 33^3 * 20,000 = 718 million values described in about 40 KB.
        let yaml = multiplied(20_000, 33, 3);
        assert!(yaml.len() < 45_000, "{}", yaml.len());
        assert!(exceeds(&yaml));
        // Over: the list and 5 copies are 120,000 values; under: the list and 3 copies.
        assert!(exceeds(&multiplied(20_000, 5, 1)));
        assert!(!exceeds(&multiplied(20_000, 3, 1)));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn the_classic_billion_laughs_is_refused() {
        // Nine levels of nine: the parser's repetition limit trips before the budget does.
        let mut yaml = String::from("l0: &l0 lol\n");
        for level in 1..=9 {
            let refs = vec![format!("*l{}", level - 1); 9].join(", ");
            yaml.push_str(&format!("l{level}: &l{level} [{refs}]\n"));
        }
        assert!(exceeds(&yaml));
    }

    #[test]
    fn long_text_repeated_through_aliases_counts_by_size() {
        let text = "x".repeat(60_000);
        let refs = vec!["*t"; 40].join(", ");
        let yaml = format!("t: &t \"{text}\"\nb: &b [{refs}]\nc: [{}]\n", {
            vec!["*b"; 40].join(", ")
        });
        assert!(exceeds(&yaml));
        assert!(!exceeds(&format!("t: &t \"{text}\"\nu: [*t, *t]\n")));
    }
}

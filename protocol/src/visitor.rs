//! The people the calls are about: a visitor is named the way the staff say it on the radio,
//! surname plus title (王先生, 欧阳小姐), never by full name.
//!
//! A surname is plainly a surname or it is refused: one Chinese character, or one of the
//! two-character compound surnames ([`surname::COMPOUND`]), or a Latin name for a foreign visitor
//! (Smith). Anything longer — 预约客户蒋, 王老板王 — is words around a surname that the sentence's
//! grammar did not account for, and storing it would put a phantom visitor on the board.

use std::fmt;

use serde::{Deserialize, Serialize};

pub mod surname;

/// The longest foreign (Latin) surname accepted, in characters. Chinese surnames are one
/// character, or two for a compound surname.
pub const MAX_SURNAME_CHARS: usize = 12;

/// How a visitor is addressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Title {
    /// 先生
    Mr,
    /// 小姐
    Miss,
    /// 女士
    Ms,
}

impl Title {
    pub const ALL: [Title; 3] = [Title::Mr, Title::Miss, Title::Ms];

    /// The title's name on the wire (`mr`).
    pub fn code(self) -> &'static str {
        match self {
            Title::Mr => "mr",
            Title::Miss => "miss",
            Title::Ms => "ms",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Title::Mr => "先生",
            Title::Miss => "小姐",
            Title::Ms => "女士",
        }
    }
}

/// A visitor as named on the radio: 「王先生」.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Visitor {
    pub surname: String,
    pub title: Title,
}

/// Why a visitor's name was not understood.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VisitorError {
    /// Say the visitor as surname + 先生/小姐/女士, e.g. 王先生.
    #[error("a visitor is named as surname + 先生/小姐/女士 (e.g. 王先生), not {0:?}")]
    NoTitle(String),
    /// A surname is one Chinese character, a compound surname (欧阳), or a Latin name.
    #[error(
        "{0:?} is not a surname: name the visitor by surname and title only (王先生, 欧阳女士, Smith先生), without words such as 客户 or a given name"
    )]
    BadSurname(String),
}

impl Visitor {
    pub fn new(surname: &str, title: Title) -> Result<Visitor, VisitorError> {
        let surname = surname.trim();
        if !surname::is_surname(surname) {
            return Err(VisitorError::BadSurname(surname.chars().take(24).collect()));
        }
        Ok(Visitor {
            surname: surname.to_owned(),
            title,
        })
    }

    /// Reads 「王先生」, 「欧阳小姐」, 「Smith女士」.
    pub fn parse(said: &str) -> Result<Visitor, VisitorError> {
        let said = said.trim();
        for title in Title::ALL {
            if let Some(surname) = said.strip_suffix(title.word()) {
                return Visitor::new(surname, title);
            }
        }
        Err(VisitorError::NoTitle(said.chars().take(24).collect()))
    }

    /// Checks a visitor that came in typed (e.g. decoded from the wire) as [`Visitor::new`] would.
    pub fn validate(&self) -> Result<(), VisitorError> {
        Visitor::new(&self.surname, self.title).map(|_| ())
    }
}

impl fmt::Display for Visitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.surname, self.title.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_titles_and_compound_surnames() {
        assert_eq!(
            Visitor::parse("欧阳小姐").unwrap(),
            Visitor::new("欧阳", Title::Miss).unwrap()
        );
        assert_eq!(Visitor::parse("李女士").unwrap().title, Title::Ms);
        assert!(matches!(
            Visitor::parse("王老板"),
            Err(VisitorError::NoTitle(_))
        ));
        assert!(Visitor::parse("先生").is_err());
        assert!(Visitor::parse("3先生").is_err());
        assert_eq!(Visitor::parse("Smith先生").unwrap().surname, "Smith");
    }

    #[test]
    fn words_around_a_surname_are_not_a_surname() {
        for said in [
            "预约客户蒋先生",
            "客户王先生",
            "王伟先生",
            "王Smith先生",
            "老王先生",
        ] {
            assert!(
                matches!(Visitor::parse(said), Err(VisitorError::BadSurname(_))),
                "{said}"
            );
        }
    }
}

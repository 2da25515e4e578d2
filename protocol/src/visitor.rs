//! The people the calls are about: a visitor is named the way the staff say it on the radio,
//! surname plus title (王先生, 欧阳小姐), never by full name.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The longest surname accepted, in characters (compound surnames are two; foreign names more).
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
    /// The surname has letters only, at most MAX_SURNAME_CHARS of them.
    #[error("{0:?} is not a surname")]
    BadSurname(String),
}

impl Visitor {
    pub fn new(surname: &str, title: Title) -> Result<Visitor, VisitorError> {
        let surname = surname.trim();
        let n = surname.chars().count();
        if n == 0 || n > MAX_SURNAME_CHARS || !surname.chars().all(char::is_alphabetic) {
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
    }
}

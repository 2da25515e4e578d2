//! What counts as a surname on the radio, for visitors (王先生) and for client managers named by
//! surname (李经理): one Chinese character, a compound surname, or — for a foreigner — a Latin
//! name.

use super::MAX_SURNAME_CHARS;

/// Two-character compound surnames (复姓), the classical ones still in use and those common in
/// Taiwan and Hong Kong. A two-character Chinese "surname" not in this list is a surname plus
/// something else (a given name, a word like 老 or 客户), and is refused.
pub const COMPOUND: [&str; 66] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "令狐", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "万俟", "闻人", "澹台", "公冶", "申屠",
    "太史", "呼延", "钟离", "宗政", "濮阳", "淳于", "单于", "百里", "东郭", "拓跋", "赫连", "公羊",
    "太叔", "仲孙", "鲜于", "闾丘", "司空", "亓官", "司寇", "子车", "颛孙", "巫马", "公西", "漆雕",
    "乐正", "壤驷", "公良", "夹谷", "宰父", "谷梁", "段干", "东门", "南门", "羊舌", "微生", "梁丘",
    "左丘", "第五", "范姜", "张简", "张廖", "归海",
];

/// A Chinese (Han) character, in the blocks people's names are written in.
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}'
        | '\u{30000}'..='\u{3134F}')
}

/// Whether `s` is plainly a surname: one Chinese character, a compound surname, or 1 to
/// [`MAX_SURNAME_CHARS`] letters of a non-Chinese script (Smith, Müller).
pub fn is_surname(s: &str) -> bool {
    let n = s.chars().count();
    if s.chars().all(is_han) {
        n == 1 || COMPOUND.contains(&s)
    } else {
        (1..=MAX_SURNAME_CHARS).contains(&n) && s.chars().all(|c| c.is_alphabetic() && !is_han(c))
    }
}

/// Whether a Chinese name, as said, is a surname alone — one character, or a compound surname —
/// rather than a full name (张伟, 欧阳娜娜).
pub fn is_surname_only(name: &str) -> bool {
    name.chars().all(is_han) && is_surname(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surnames_and_not() {
        for s in ["王", "蒋", "欧阳", "诸葛", "Smith", "Müller"] {
            assert!(is_surname(s), "{s}");
        }
        for s in [
            "",
            "王伟",
            "客户王",
            "预约客户蒋",
            "王3",
            "Smith王",
            "老王",
            "ab cd",
        ] {
            assert!(!is_surname(s), "{s}");
        }
        assert!(is_surname_only("李"));
        assert!(is_surname_only("欧阳"));
        assert!(!is_surname_only("张伟"));
        assert!(!is_surname_only("Smith"));
        let mut sorted = COMPOUND.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), COMPOUND.len(), "no surname listed twice");
    }
}

//! Chinese licence plates, as the gate notes a taxi's (seed 000: 「同时记下车牌号码」): the
//! province's one-character abbreviation, the issuing office's letter, then five letters and
//! digits — six on a new-energy plate — e.g. 粤B12345, 粤BD12345. Plates of trailers, coaches,
//! police, Hong Kong and Macau cars end in a character (挂 学 警 港 澳 领) instead of the fifth.

/// The provinces' abbreviations, as on the first character of a plate.
const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
/// Characters that may end a special plate in place of its last letter or digit.
const SPECIAL_ENDINGS: &str = "挂学警港澳领";

/// Whether `s` is a plate written the standard way: no spaces or dots, letters in upper case.
pub fn is_plate(s: &str) -> bool {
    let mut chars = s.chars();
    let (Some(province), Some(office)) = (chars.next(), chars.next()) else {
        return false;
    };
    if !PROVINCES.contains(province) || !office.is_ascii_uppercase() {
        return false;
    }
    let tail: Vec<char> = chars.collect();
    let plain = |c: &char| c.is_ascii_digit() || c.is_ascii_uppercase();
    match tail.split_last() {
        Some((last, body)) if SPECIAL_ENDINGS.contains(*last) => {
            body.len() == 4 && body.iter().all(plain)
        }
        _ => matches!(tail.len(), 5 | 6) && tail.iter().all(plain),
    }
}

/// A plate as said or typed (粤b·12345, 粤B 12345) in the standard way (粤B12345). The result
/// still has to pass [`is_plate`].
pub(crate) fn standard(said: &str) -> String {
    said.chars()
        .filter(|c| !matches!(c, ' ' | '·' | '•' | '-' | '.'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates_as_the_gate_writes_them() {
        for p in [
            "粤B12345",
            "京A8K3M2",
            "粤BD12345",
            "沪AF12345",
            "粤Z1234港",
            "川A1234学",
        ] {
            assert!(is_plate(p), "{p}");
        }
        for p in [
            "",
            "粤",
            "粤B",
            "粤B123",
            "粤B1234567",
            "码粤B12345",
            "粤b12345",
            "AB12345",
            "粤B12 45",
            "红色出租车",
            "粤B1234挂5",
        ] {
            assert!(!is_plate(p), "{p}");
        }
        assert_eq!(standard("粤b·12345"), "粤B12345");
        assert_eq!(standard("粤B 123-45"), "粤B12345");
    }
}

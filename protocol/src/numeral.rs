//! Numbers as people say and type them on the radio: 3, ３, 三, 两, 十二, 二十五, 一百零五.

/// Reads a small non-negative number written in Arabic digits (half- or full-width) or in Chinese
/// numerals up to the thousands. Returns `None` for anything else, including overflow.
pub fn parse(said: &str) -> Option<u32> {
    let said = said.trim();
    if said.is_empty() || said.chars().count() > 12 {
        return None;
    }
    if said
        .chars()
        .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        return said.chars().try_fold(0u32, |n, c| {
            let d = c.to_digit(10).or_else(|| Some(c as u32 - '０' as u32))?;
            n.checked_mul(10)?.checked_add(d)
        });
    }
    chinese(said)
}

fn digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

fn unit(c: char) -> Option<u32> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1000,
        _ => return None,
    })
}

/// Chinese numerals: a sum of (digit × unit) terms, with 十 alone meaning ten (十二 = 12), 零 as a
/// filler (一百零五), and a bare digit sequence read positionally (一二 is not a number people say,
/// so it is refused).
fn chinese(said: &str) -> Option<u32> {
    let mut total = 0u32;
    let mut pending: Option<u32> = None;
    let mut last_unit = u32::MAX;
    for c in said.chars() {
        if let Some(d) = digit(c) {
            if pending.is_some() && d != 0 {
                return None;
            }
            pending = if d == 0 { pending } else { Some(d) };
        } else if let Some(u) = unit(c) {
            if u >= last_unit {
                return None;
            }
            last_unit = u;
            let d = pending.take().unwrap_or(1);
            total = total.checked_add(d.checked_mul(u)?)?;
        } else {
            return None;
        }
    }
    if let Some(d) = pending {
        total = total.checked_add(d)?;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_what_people_say() {
        for (said, n) in [
            ("3", 3),
            ("12", 12),
            ("１２", 12),
            ("三", 3),
            ("两", 2),
            ("十", 10),
            ("十二", 12),
            ("二十", 20),
            ("二十五", 25),
            ("一百零五", 105),
            ("三百", 300),
            ("一千二百三十四", 1234),
        ] {
            assert_eq!(parse(said), Some(n), "{said}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        for said in [
            "",
            "×",
            "几",
            "十十",
            "一二",
            "3人",
            "十百",
            "99999999999999",
        ] {
            assert_eq!(parse(said), None, "{said}");
        }
    }
}

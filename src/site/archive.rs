//! Date archives: years, months and days that have articles, in the site's timezone.

use chrono::Datelike;

use crate::content::Article;

use super::{Day, Month, Year};

/// Site path of a day's digest (`/2024/11/27/`).
pub fn day_path(date: chrono::NaiveDate) -> String {
    crate::urls::day(date)
}

/// Years, months and days over `articles` (sorted newest first, dates already in site time).
pub fn build(articles: &[Article]) -> Vec<Year> {
    let mut years: Vec<Year> = Vec::new();
    for (i, article) in articles.iter().enumerate() {
        let date = article.date.date_naive();
        if years.last().is_none_or(|y| y.year != date.year()) {
            years.push(Year {
                year: date.year(),
                path: crate::urls::year(date.year()),
                articles: Vec::new(),
                months: Vec::new(),
            });
        }
        let Some(year) = years.last_mut() else {
            continue;
        };
        year.articles.push(i);
        if year.months.last().is_none_or(|m| m.month != date.month()) {
            year.months.push(Month {
                month: date.month(),
                path: crate::urls::month(date.year(), date.month()),
                articles: Vec::new(),
                days: Vec::new(),
            });
        }
        let Some(month) = year.months.last_mut() else {
            continue;
        };
        month.articles.push(i);
        if month.days.last().is_none_or(|d| d.date != date) {
            month.days.push(Day {
                date,
                path: day_path(date),
                articles: Vec::new(),
            });
        }
        if let Some(day) = month.days.last_mut() {
            day.articles.push(i);
        }
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::tests::article;

    #[test]
    fn groups_by_year_month_day_newest_first() {
        let articles = vec![
            article("a", "2025-01-15T10:00:00Z", &[]),
            article("b", "2024-11-28T10:00:00Z", &[]),
            article("c", "2024-11-27T12:00:00Z", &[]),
            article("d", "2024-11-27T09:00:00Z", &[]),
            article("e", "2024-10-01T09:00:00Z", &[]),
        ];
        let years = build(&articles);
        assert_eq!(years.len(), 2);
        assert_eq!(years[0].path, "/2025/");
        assert_eq!(years[1].articles, vec![1, 2, 3, 4]);
        let nov = &years[1].months[0];
        assert_eq!(nov.path, "/2024/11/");
        assert_eq!(nov.days.len(), 2);
        assert_eq!(nov.days[1].path, "/2024/11/27/");
        assert_eq!(nov.days[1].articles, vec![2, 3]);
        assert_eq!(years[1].months[1].path, "/2024/10/");
    }
}

//! Page numbers for paginated lists.

/// A 1-based page of a list, `per_page` items long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub number: u32,
    pub per_page: u32,
}

/// The deepest page anyone may ask for; deeper offsets are refused rather
/// than handed to the database as a scan of millions of rows.
pub const MAX_PAGE: u32 = 10_000;

impl PageRequest {
    pub fn new(number: u32, per_page: u32) -> Self {
        Self {
            number: number.max(1),
            per_page: per_page.max(1),
        }
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.number - 1) * u64::from(self.per_page)
    }

    /// Asks storage for one row more than shown, to learn whether a next page exists.
    pub fn fetch_limit(&self) -> u32 {
        self.per_page + 1
    }
}

/// Why a `page` query parameter was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageParamError {
    /// Not a positive whole number.
    Invalid,
    /// A number, but beyond any page that can exist.
    TooDeep,
}

/// Parses the `page` query parameter: absent means 1.
pub fn parse_page_param(raw: Option<&str>) -> Result<u32, PageParamError> {
    let Some(raw) = raw else { return Ok(1) };
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PageParamError::Invalid);
    }
    match raw.parse::<u64>() {
        Ok(0) => Err(PageParamError::Invalid),
        Ok(n) if n <= u64::from(MAX_PAGE) => Ok(n as u32),
        _ => Err(PageParamError::TooDeep),
    }
}

/// One page of items and whether there are more after it.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: PageRequest,
    pub has_next: bool,
}

impl<T> Paged<T> {
    /// Builds a page from a result fetched with [`PageRequest::fetch_limit`].
    pub fn from_overfetch(mut items: Vec<T>, page: PageRequest) -> Self {
        let has_next = items.len() > page.per_page as usize;
        items.truncate(page.per_page as usize);
        Self {
            items,
            page,
            has_next,
        }
    }
}

/// The page (from 1) of a list of `per_page` a page that holds its item
/// number `item` (from 1): where "more" goes after the first `item - 1`
/// items were shown elsewhere.
pub fn page_holding(item: u64, per_page: u32) -> u32 {
    let per_page = u64::from(per_page.max(1));
    (item.max(1) - 1)
        .div_euclid(per_page)
        .saturating_add(1)
        .min(u64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_param_accepts_positive_numbers_only() {
        assert_eq!(parse_page_param(None), Ok(1));
        assert_eq!(parse_page_param(Some("3")), Ok(3));
        assert_eq!(parse_page_param(Some("-1")), Err(PageParamError::Invalid));
        assert_eq!(parse_page_param(Some("0")), Err(PageParamError::Invalid));
        assert_eq!(parse_page_param(Some("abc")), Err(PageParamError::Invalid));
        assert_eq!(parse_page_param(Some("")), Err(PageParamError::Invalid));
        assert_eq!(
            parse_page_param(Some("99999999999")),
            Err(PageParamError::TooDeep)
        );
        assert_eq!(
            parse_page_param(Some("999999999999999999999999")),
            Err(PageParamError::TooDeep)
        );
    }

    #[test]
    fn overfetch_reports_next_page() {
        let p = PageRequest::new(1, 2);
        let paged = Paged::from_overfetch(vec![1, 2, 3], p);
        assert_eq!(paged.items, vec![1, 2]);
        assert!(paged.has_next);
        assert_eq!(PageRequest::new(3, 20).offset(), 40);
    }

    #[test]
    fn more_goes_to_the_page_holding_the_next_item() {
        use super::page_holding;
        assert_eq!(page_holding(13, 20), 1, "items 1-20 hold the 13th");
        assert_eq!(page_holding(13, 10), 2);
        assert_eq!(page_holding(13, 12), 2);
        assert_eq!(page_holding(13, 6), 3);
        assert_eq!(page_holding(1, 20), 1);
        assert_eq!(page_holding(0, 0), 1);
    }
}

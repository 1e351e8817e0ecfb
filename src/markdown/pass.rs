//! The event filter between pulldown-cmark's parser and its HTML writer: rewrites heading ids,
//! unsafe links and raw HTML, and notes headings, words, links and where the summary lies in the
//! output.

use std::cell::Cell;
use std::collections::{HashMap, HashSet, VecDeque};

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, OffsetIter, Tag, TagEnd};

use super::text::{PlainText, WordCounter, is_more_marker, neutralise_url};
use super::{Heading, Link, Summary};
use crate::slug::slugify;

/// A heading being read: its events wait here until its text, and so its id, is known.
struct OpenHeading<'a> {
    level: HeadingLevel,
    custom_id: Option<CowStr<'a>>,
    classes: Vec<CowStr<'a>>,
    attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    events: Vec<Event<'a>>,
    text: PlainText,
}

/// The first top-level paragraph, while it is being written.
struct OpenParagraph {
    start: usize,
    text: PlainText,
    closed: bool,
}

/// The event filter between parser and HTML writer, and the notes it takes.
pub(super) struct Pass<'a, 'c> {
    parser: OffsetIter<'a>,
    raw_html: bool,
    /// Offered every link destination; `Some` replaces it.
    resolve: &'c dyn Fn(&str) -> Option<String>,
    links: Vec<Link>,
    /// Bytes of HTML written so far; when the queue is empty, that is all output of earlier events.
    written: &'c Cell<usize>,
    queue: VecDeque<Event<'a>>,
    /// Open tags around the current event (0 = top level).
    depth: usize,
    /// Inside image alt text, which is not body text.
    image_depth: usize,
    /// Inside an autolink, whose text is a URL and so no words.
    in_autolink: bool,
    heading: Option<OpenHeading<'a>>,
    html_block: Option<Vec<CowStr<'a>>>,
    headings: Vec<Heading>,
    used_ids: HashSet<String>,
    /// Next suffix to try per base id, so many equal headings stay linear.
    next_suffix: HashMap<String, usize>,
    words: WordCounter,
    paragraph: Option<OpenParagraph>,
    first_paragraph: Option<(usize, usize, String)>,
    /// All text so far, kept only while a `<!-- more -->` marker may still come.
    before_marker: Option<PlainText>,
    marker: Option<(usize, String)>,
}

impl<'a, 'c> Pass<'a, 'c> {
    pub(super) fn new(
        parser: OffsetIter<'a>,
        raw_html: bool,
        written: &'c Cell<usize>,
        marker: bool,
        resolve: &'c dyn Fn(&str) -> Option<String>,
    ) -> Self {
        Pass {
            parser,
            raw_html,
            resolve,
            links: Vec::new(),
            written,
            queue: VecDeque::new(),
            depth: 0,
            image_depth: 0,
            in_autolink: false,
            heading: None,
            html_block: None,
            headings: Vec::new(),
            used_ids: HashSet::new(),
            next_suffix: HashMap::new(),
            words: WordCounter::default(),
            paragraph: None,
            first_paragraph: None,
            before_marker: marker.then(PlainText::default),
            marker: None,
        }
    }

    /// The notes, once `html` holds the whole output: summary, headings, word count, links.
    pub(super) fn finish(
        mut self,
        html: &str,
    ) -> (Option<Summary>, Vec<Heading>, usize, Vec<Link>) {
        self.settle(html.len());
        let summary = match self.marker.take() {
            Some((end, text)) if !text.is_empty() => {
                let html = html.get(..end).unwrap_or_default().trim().to_string();
                Some(Summary { html, text })
            }
            _ => self.first_paragraph.take().map(|(start, end, text)| {
                let html = html.get(start..end).unwrap_or_default().trim().to_string();
                Summary { html, text }
            }),
        };
        (summary, self.headings, self.words.count(), self.links)
    }

    /// Notes offsets that only become known once earlier events are written.
    fn settle(&mut self, written: usize) {
        if self.paragraph.as_ref().is_some_and(|p| p.closed)
            && let Some(p) = self.paragraph.take()
        {
            let text = p.text.finish();
            // A paragraph of only an image says nothing as a summary: keep looking.
            if !text.is_empty() {
                self.first_paragraph = Some((p.start, written, text));
            }
        }
    }

    fn emit(&mut self, event: Event<'a>) {
        match &mut self.heading {
            Some(heading) => heading.events.push(event),
            None => self.queue.push_back(event),
        }
    }

    /// Text readers see: counted, and copied wherever plain text is being collected.
    fn note_text(&mut self, text: &str) {
        if self.image_depth > 0 {
            return;
        }
        if !self.in_autolink {
            self.words.add(text);
        }
        if let Some(h) = &mut self.heading {
            h.text.push(text);
        }
        if let Some(p) = &mut self.paragraph {
            p.text.push(text);
        }
        if self.marker.is_none()
            && let Some(t) = &mut self.before_marker
        {
            t.push(text);
        }
    }

    /// A block edge or line break: the words on either side are not one word.
    fn note_break(&mut self) {
        self.words.split();
        if let Some(h) = &mut self.heading {
            h.text.split();
        }
        if let Some(p) = &mut self.paragraph {
            p.text.split();
        }
        if let Some(t) = &mut self.before_marker {
            t.split();
        }
    }

    fn handle(&mut self, event: Event<'a>, offset: usize, written: usize) {
        if let Some(block) = &mut self.html_block {
            match event {
                Event::Html(s) | Event::Text(s) => block.push(s),
                Event::End(TagEnd::HtmlBlock) => self.close_html_block(written),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, offset, written),
            Event::End(tag) => self.end(tag),
            Event::Text(s) => {
                self.note_text(&s);
                self.emit(Event::Text(s));
            }
            Event::Code(s) => {
                self.note_text(&s);
                self.emit(Event::Code(s));
            }
            // Shown as text, so it is text: in summaries, search and word counts too.
            Event::InlineHtml(s) | Event::Html(s) if !self.raw_html => {
                self.note_text(&s);
                self.emit(Event::Text(s));
            }
            // Prefixed so a footnote `[^2024]` cannot share an id with a heading "2024".
            Event::FootnoteReference(label) => {
                self.emit(Event::FootnoteReference(footnote_id(&label)))
            }
            Event::SoftBreak | Event::HardBreak | Event::Rule | Event::TaskListMarker(_) => {
                self.note_break();
                self.emit(event);
            }
            other => self.emit(other),
        }
    }

    fn start(&mut self, tag: Tag<'a>, offset: usize, written: usize) {
        let top_level = self.depth == 0;
        self.depth += 1;
        match tag {
            Tag::HtmlBlock => {
                self.note_break();
                self.html_block = Some(Vec::new());
            }
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                self.note_break();
                self.heading = Some(OpenHeading {
                    level,
                    custom_id: id,
                    classes,
                    attrs,
                    events: Vec::new(),
                    text: PlainText::default(),
                });
            }
            Tag::Paragraph => {
                self.note_break();
                if top_level && self.first_paragraph.is_none() && self.paragraph.is_none() {
                    self.paragraph = Some(OpenParagraph {
                        start: written,
                        text: PlainText::default(),
                        closed: false,
                    });
                }
                self.emit(Event::Start(Tag::Paragraph));
            }
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => {
                self.in_autolink = matches!(link_type, LinkType::Autolink | LinkType::Email);
                // An e-mail autolink's destination has no `mailto:` yet: it is no URL to check.
                if link_type != LinkType::Email {
                    self.links.push(Link {
                        dest: dest_url.to_string(),
                        offset,
                        image: false,
                    });
                }
                let dest_url = match (self.resolve)(&dest_url) {
                    Some(new) => CowStr::from(new),
                    None => dest_url,
                };
                let dest_url = neutralise_url(dest_url, false);
                self.emit(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            } => {
                self.image_depth += 1;
                self.links.push(Link {
                    dest: dest_url.to_string(),
                    offset,
                    image: true,
                });
                let dest_url = neutralise_url(dest_url, true);
                self.emit(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Tag::FootnoteDefinition(label) => {
                self.note_break();
                self.emit(Event::Start(Tag::FootnoteDefinition(footnote_id(&label))));
            }
            Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript => self.emit(Event::Start(tag)),
            other => {
                self.note_break();
                self.emit(Event::Start(other));
            }
        }
    }

    fn end(&mut self, tag: TagEnd) {
        self.depth = self.depth.saturating_sub(1);
        match tag {
            TagEnd::Heading(_) => {
                self.note_break();
                self.close_heading();
                return;
            }
            TagEnd::Paragraph => {
                self.note_break();
                if self.depth == 0
                    && let Some(p) = &mut self.paragraph
                {
                    p.closed = true;
                }
            }
            TagEnd::Link => self.in_autolink = false,
            TagEnd::Image => self.image_depth = self.image_depth.saturating_sub(1),
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript => {}
            _ => self.note_break(),
        }
        self.emit(Event::End(tag));
    }

    fn close_heading(&mut self) {
        let Some(h) = self.heading.take() else {
            return;
        };
        let text = h.text.finish();
        let custom = h.custom_id.as_deref().map(slugify).unwrap_or_default();
        let base = if !custom.is_empty() {
            custom
        } else {
            let from_text = slugify(&text);
            if from_text.is_empty() {
                "section".to_string()
            } else {
                from_text
            }
        };
        let id = self.unique_id(base);
        let raw_html = self.raw_html;
        // Key=value attributes can carry event handlers: only trusted (raw HTML) bodies keep them,
        // and never an `id`, which is ours.
        let attrs = h
            .attrs
            .into_iter()
            .filter(|(key, _)| raw_html && !key.eq_ignore_ascii_case("id"))
            .collect();
        self.queue.push_back(Event::Start(Tag::Heading {
            level: h.level,
            id: Some(CowStr::from(id.clone())),
            classes: h.classes,
            attrs,
        }));
        self.queue.extend(h.events);
        self.queue.push_back(Event::End(TagEnd::Heading(h.level)));
        self.headings.push(Heading {
            level: h.level as u8,
            id,
            text,
        });
    }

    /// `base`, or `base-1`, `base-2`... whichever no earlier heading took.
    fn unique_id(&mut self, base: String) -> String {
        if self.used_ids.insert(base.clone()) {
            return base;
        }
        let mut n = self.next_suffix.get(&base).copied().unwrap_or(1);
        loop {
            let candidate = format!("{base}-{n}");
            n += 1;
            if self.used_ids.insert(candidate.clone()) {
                self.next_suffix.insert(base, n);
                return candidate;
            }
        }
    }

    fn close_html_block(&mut self, written: usize) {
        self.depth = self.depth.saturating_sub(1);
        let Some(lines) = self.html_block.take() else {
            return;
        };
        let content: String = lines.iter().map(|l| l.as_ref()).collect();
        if is_more_marker(&content) {
            // The first top-level marker ends the summary; any marker is dropped from the page.
            if self.depth == 0 && self.marker.is_none() {
                let text = self.before_marker.take().map(PlainText::finish);
                self.marker = Some((written, text.unwrap_or_default()));
            }
            return;
        }
        if self.raw_html {
            self.emit(Event::Start(Tag::HtmlBlock));
            for line in lines {
                self.emit(Event::Html(line));
            }
            self.emit(Event::End(TagEnd::HtmlBlock));
        } else {
            let shown = content.trim_end_matches('\n').to_string();
            self.emit(Event::Start(Tag::Paragraph));
            self.emit(Event::Text(CowStr::from(shown)));
            self.emit(Event::End(TagEnd::Paragraph));
        }
    }
}

fn footnote_id(label: &str) -> CowStr<'static> {
    CowStr::from(format!("fn-{label}"))
}

impl<'a> Iterator for Pass<'a, '_> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            // The queue is empty, so the writer has written every event handed out so far.
            let written = self.written.get();
            self.settle(written);
            let (event, range) = self.parser.next()?;
            self.handle(event, range.start, written);
        }
    }
}

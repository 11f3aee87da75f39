//! The part of a file a diagnostic shows: the lines of its labels with one line of
//! context, long lines cut to a window around the label as rustc does (`…` marks what is
//! left out). The renderer reads only this excerpt, so that rendering an error costs the
//! size of its lines, not of its file, and no line or column is ever too long to draw.
//!
//! Offsets of the excerpt are those of the file (an excerpt only ever shrinks what it
//! holds), except inside a cut line: label spans are mapped with [`Snippet::build`].
//! Line numbers and columns (in bytes, as the renderer counts them) are those of the file.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::ops::Range;
use std::sync::Arc;

/// Lines longer than this (in bytes) are cut around the label.
const MAX_LINE: usize = 240;
/// What a cut line keeps before the start of its first label.
const BEFORE: usize = 60;
/// What a cut line keeps in all.
const WINDOW: usize = 160;
/// A label over more lines than this is shown over its first lines only.
const MAX_SPAN_LINES: usize = 30;
/// Lines of context kept around each label (the renderer shows one).
const CONTEXT: usize = 2;
const ELLIPSIS: &str = "…";

/// A loaded file with the start of each of its lines, computed once for all its errors.
#[derive(Debug)]
pub(crate) struct FileText {
    pub name: String,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl FileText {
    pub fn new(name: String, text: Arc<str>) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        FileText {
            name,
            text,
            line_starts,
        }
    }

    /// 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    fn last_line(&self) -> usize {
        self.line_starts.len() - 1
    }

    /// Byte range of a line, its `\n` included.
    fn line(&self, line: usize) -> Range<usize> {
        let end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        self.line_starts[line]..end
    }

    /// A byte range made valid: inside the text, on character boundaries, start ≤ end.
    fn clamp(&self, span: Range<usize>) -> Range<usize> {
        let text = &*self.text;
        let mut start = span.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = span.end.clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }
}

/// A contiguous run of the file's lines, as shown.
#[derive(Debug, Clone)]
struct Segment {
    /// Offset of the first line in the file (and in the excerpt).
    start: usize,
    /// Offset of the end of the last line in the file.
    file_end: usize,
    first_line: usize,
    text: String,
    /// Kept pieces: (file range, offset in the excerpt, whether it is a line break).
    pieces: Vec<(Range<usize>, usize, bool)>,
    /// File offset of the start of each line of the segment.
    line_starts: Vec<usize>,
}

impl Segment {
    fn end(&self) -> usize {
        self.start + self.text.len()
    }

    /// Excerpt offset of a file offset of the segment's lines.
    /// An offset cut out of a line maps to the nearest end of what is kept of it.
    fn map(&self, offset: usize) -> usize {
        let mut previous_end = self.start;
        for (range, at, line_break) in &self.pieces {
            if offset < range.start {
                return if *line_break { previous_end } else { *at };
            }
            if offset <= range.end {
                return at + (offset - range.start);
            }
            previous_end = at + range.len();
        }
        self.end()
    }

    /// File offset of an excerpt offset.
    fn unmap(&self, offset: usize) -> usize {
        let mut last = self.start;
        for (range, at, _) in &self.pieces {
            if offset < *at {
                return last;
            }
            if offset <= at + range.len() {
                return range.start + (offset - at);
            }
            last = range.end;
        }
        last
    }
}

/// What a diagnostic shows of one file.
#[derive(Debug, Clone)]
pub struct Snippet {
    name: String,
    segments: Vec<Segment>,
}

impl Snippet {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The excerpt of `file` around `spans`, and the spans as offsets of the excerpt.
    pub(crate) fn build(file: &FileText, spans: &[Range<usize>]) -> (Snippet, Vec<Range<usize>>) {
        let spans: Vec<Range<usize>> = spans
            .iter()
            .map(|s| {
                let s = file.clamp(s.clone());
                let first = file.line_of(s.start);
                if file.line_of(s.end) > first + MAX_SPAN_LINES {
                    s.start..file.line(first + MAX_SPAN_LINES).start
                } else {
                    s
                }
            })
            .collect();
        // Line ranges to show, merged when they touch.
        let mut ranges: Vec<Range<usize>> = spans
            .iter()
            .map(|s| {
                let first = file.line_of(s.start).saturating_sub(CONTEXT);
                let last = (file.line_of(s.end) + CONTEXT).min(file.last_line());
                first..last + 1
            })
            .collect();
        ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::new();
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        let segments: Vec<Segment> = merged
            .into_iter()
            .map(|lines| segment(file, lines, &spans))
            .collect();
        let mapped = spans
            .iter()
            .map(|s| {
                let seg = segments
                    .iter()
                    .find(|g| g.start <= s.start && s.start <= g.file_end)
                    .expect("every span has its segment");
                seg.map(s.start)..seg.map(s.end).max(seg.map(s.start))
            })
            .collect();
        let snippet = Snippet {
            name: file.name.clone(),
            segments,
        };
        (snippet, mapped)
    }
}

fn segment(file: &FileText, lines: Range<usize>, spans: &[Range<usize>]) -> Segment {
    let text = &*file.text;
    let start = file.line(lines.start).start;
    let mut seg = Segment {
        start,
        file_end: file.line(lines.end - 1).end,
        first_line: lines.start,
        text: String::new(),
        pieces: Vec::new(),
        line_starts: Vec::new(),
    };
    for l in lines {
        let line = file.line(l);
        seg.line_starts.push(line.start);
        let body_end = if text[line.clone()].ends_with('\n') {
            line.end - 1
        } else {
            line.end
        };
        let keep = if body_end - line.start > MAX_LINE {
            window(text, line.start..body_end, spans)
        } else {
            line.start..body_end
        };
        if keep.start > line.start {
            seg.text.push_str(ELLIPSIS);
        }
        let at = start + seg.text.len();
        seg.text.push_str(&text[keep.clone()]);
        seg.pieces.push((keep.clone(), at, false));
        if keep.end < body_end {
            seg.text.push_str(ELLIPSIS);
        }
        if body_end < line.end {
            let at = start + seg.text.len();
            seg.text.push('\n');
            seg.pieces.push((body_end..line.end, at, true));
        }
    }
    seg
}

/// What a long line keeps: from a little before the first label that starts on it (or
/// its start), `WINDOW` bytes, on character boundaries.
fn window(text: &str, line: Range<usize>, spans: &[Range<usize>]) -> Range<usize> {
    let anchor = spans
        .iter()
        .map(|s| s.start)
        .filter(|s| line.contains(s))
        .min()
        .unwrap_or(line.start);
    let mut start = anchor.saturating_sub(BEFORE).max(line.start);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + WINDOW).min(line.end);
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (offset, len) = (span.offset(), span.len());
        let seg = self
            .segments
            .iter()
            .find(|s| s.start <= offset && offset + len <= s.end())
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((offset - seg.start).into(), len);
        let contents = <str as SourceCode>::read_span(
            seg.text.as_str(),
            &local,
            context_lines_before,
            context_lines_after,
        )?;
        let line = contents.line();
        let column = if contents.column() == 0 {
            0
        } else {
            // The column in the file, not in the cut line.
            let real = seg.unmap(offset);
            let i = seg.line_starts.partition_point(|&s| s <= real);
            real - seg.line_starts[i.saturating_sub(1)].min(real)
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + seg.start).into(),
                contents.span().len(),
            ),
            line + seg.first_line,
            column,
            contents.line_count() + seg.first_line,
        )))
    }
}

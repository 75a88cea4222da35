/** Replaces the generated part of a document, between `<!-- NAME -->` and `<!-- /NAME -->`. */

export function replaceSection(document: string, name: string, content: string): string {
    const start = `<!-- ${name} -->`;
    const end = `<!-- /${name} -->`;
    const from = document.indexOf(start);
    const to = document.indexOf(end);
    if (from < 0 || to < from) throw new Error(`the document has no ${start} ... ${end} section`);
    return `${document.slice(0, from + start.length)}\n${content.trim()}\n${document.slice(to)}`;
}

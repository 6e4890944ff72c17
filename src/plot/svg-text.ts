/** Text in the SVG plots. */

/** `text` with the characters XML gives a meaning (<, >, &, quotes) as character references. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

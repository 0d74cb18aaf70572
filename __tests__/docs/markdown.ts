/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to "-". */
export const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

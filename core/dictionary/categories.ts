// Names of the category numbers of a1111 tag-autocomplete's danbooru CSV files.

const DANBOORU_CATEGORIES: Record<number, string> = {
  0: 'general',
  1: 'artist',
  3: 'copyright',
  4: 'character',
  5: 'meta',
};

export function categoryName(category: number): string {
  return DANBOORU_CATEGORIES[category] ?? `category ${category}`;
}

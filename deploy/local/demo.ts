// Demo articles loaded by `npm start`: English and Bengali, breaking and routine, one embargoed.
export interface DemoArticle {
  id: string
  language: string
  headline: string
  body: string[]
  category: string
  urgency: number
  embargoedUntil?: string
  publishedAt?: string
}

export function demoArticles(now: number): DemoArticle[] {
  const iso = (ms: number) => new Date(ms).toISOString()
  return [
    {
      id: 'demo-en-cyclone',
      language: 'en',
      headline: 'Cyclone warning raised to danger signal 7 for Chattogram port',
      body: ['The Met Office raised the signal on Tuesday morning.', 'Fishing boats were told to stay in safe shelter.'],
      category: 'national',
      urgency: 1,
      publishedAt: iso(now - 5 * 60_000),
    },
    {
      id: 'demo-en-budget',
      language: 'en',
      headline: 'Parliament opens debate on the supplementary budget',
      body: ['The debate is expected to last three days.'],
      category: 'politics',
      urgency: 5,
      publishedAt: iso(now - 30 * 60_000),
    },
    {
      id: 'demo-bn-cricket',
      language: 'bn',
      headline: 'শেষ বলে জয় পেল বাংলাদেশ',
      body: ['মিরপুরে রোমাঞ্চকর ম্যাচে শেষ বলে জয় তুলে নিয়েছে বাংলাদেশ।'],
      category: 'sports',
      urgency: 2,
      publishedAt: iso(now - 10 * 60_000),
    },
    {
      id: 'demo-en-embargoed-report',
      language: 'en',
      headline: 'Central bank report: inflation eases to 8.2 percent',
      body: ['Embargoed until release time; newsroom only until then.'],
      category: 'business',
      urgency: 3,
      embargoedUntil: iso(now + 5 * 60_000),
    },
  ]
}

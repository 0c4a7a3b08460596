// Every text of every component, in English, German, French and Spanish: plain data and one lookup, no DOM and
// no Lit, so a page rendered on the server can import the same texts. `{name}` placeholders are filled by the
// components with numbers and dates formatted for the language (Intl).

export interface ErrorStrings {
  errorNotResolved: string;
  errorDisabled: string;
  errorNetwork: string;
  errorBusy: string;
  errorOther: string;
  retry: string;
}

export interface PromptStrings extends ErrorStrings {
  heading: string;
  intro: string;
  ratingLabel: string;
  /** A star's label: {rating}, {max}. */
  star: string;
  commentLabel: string;
  commentPlaceholder: string;
  /** {count}, {max}. */
  counter: string;
  /** {max}, {over}. */
  tooLong: string;
  submit: string;
  submitting: string;
  thanks: string;
  /** The read-only stars: {rating}, {max}. */
  yourRating: string;
}

export interface CardStrings extends ErrorStrings {
  heading: string;
  /** {rating}, {max}. */
  stars: string;
  /** {time}: Intl.RelativeTimeFormat's "3 hours ago". */
  rated: string;
}

export interface ChipStrings {
  /** The visible chip: {rating}. */
  chip: string;
  /** The tooltip and the accessible name: {rating}, {max}. */
  tooltip: string;
}

export interface InsightsStrings extends ErrorStrings {
  heading: string;
  periodLabel: string;
  last7: string;
  last30: string;
  last90: string;
  thisYear: string;
  custom: string;
  from: string;
  to: string;
  apply: string;
  /** The agent filter when set: {agent}. */
  agentFilter: string;
  allAgents: string;
  loading: string;
  empty: string;
  forbidden: string;
  unauthenticated: string;
  tileCsat: string;
  tileAverage: string;
  tileResponse: string;
  tileCount: string;
  /** Under a tile: {low}, {high}. */
  interval: string;
  /** The change against the previous period of the same length: {delta}. */
  change: string;
  significant: string;
  notSignificant: string;
  noPrevious: string;
  distributionHeading: string;
  /** A bar: {rating}, {count}, {share}. */
  distributionRow: string;
  trendHeading: string;
  /** What the band is. */
  trendBand: string;
  /** A point's label and tooltip: {period}, {csat}, {low}, {high}, {average}, {count}. */
  point: string;
  /** A point without ratings: {period}. */
  pointEmpty: string;
  /** A week's name: {date} (its Monday). */
  weekOf: string;
  tableCaption: string;
  colPeriod: string;
  colCsat: string;
  colInterval: string;
  colAverage: string;
  colCount: string;
  rankingHeading: string;
  rankingHint: string;
  /** {count}, {min}. */
  notEnough: string;
  /** A ranked row: {rank}. */
  rank: string;
  /** {count}. */
  ratingsCount: string;
  unassigned: string;
  /** An agent without a name in `agent-names`: {id} (its first 8 characters). */
  agent: string;
  /** The button on a ranking row: {agent}. */
  showOnly: string;
  unhappyHeading: string;
  unhappyEmpty: string;
  /** {rating}, {max}. */
  stars: string;
  openTicket: string;
  none: string;
}

export interface Catalogue {
  prompt: PromptStrings;
  card: CardStrings;
  chip: ChipStrings;
  insights: InsightsStrings;
}

export const LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

const enErrors: ErrorStrings = {
  errorNotResolved: 'This ticket is not resolved yet, so it cannot be rated now.',
  errorDisabled: 'Feedback is turned off for this workspace.',
  errorNetwork: 'We could not reach the server. Check your connection and try again.',
  errorBusy: 'The service is busy right now. Please try again.',
  errorOther: 'Something went wrong. Please try again.',
  retry: 'Try again',
};
const deErrors: ErrorStrings = {
  errorNotResolved: 'Dieses Ticket ist noch nicht gelöst und kann daher jetzt nicht bewertet werden.',
  errorDisabled: 'Feedback ist für diesen Arbeitsbereich ausgeschaltet.',
  errorNetwork: 'Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  errorBusy: 'Der Dienst ist gerade ausgelastet. Bitte versuchen Sie es erneut.',
  errorOther: 'Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.',
  retry: 'Erneut versuchen',
};
const frErrors: ErrorStrings = {
  errorNotResolved: 'Ce ticket n’est pas encore résolu\u00a0: il ne peut pas être noté pour l’instant.',
  errorDisabled: 'Les avis sont désactivés pour cet espace de travail.',
  errorNetwork: 'Impossible de joindre le serveur. Vérifiez votre connexion et réessayez.',
  errorBusy: 'Le service est occupé pour le moment. Veuillez réessayer.',
  errorOther: 'Une erreur s’est produite. Veuillez réessayer.',
  retry: 'Réessayer',
};
const esErrors: ErrorStrings = {
  errorNotResolved: 'Este ticket aún no está resuelto, así que no se puede valorar ahora.',
  errorDisabled: 'Las valoraciones están desactivadas en este espacio de trabajo.',
  errorNetwork: 'No pudimos conectar con el servidor. Comprueba tu conexión e inténtalo de nuevo.',
  errorBusy: 'El servicio está ocupado en este momento. Inténtalo de nuevo.',
  errorOther: 'Algo salió mal. Inténtalo de nuevo.',
  retry: 'Reintentar',
};

/** The prompt's, the card's and the chip's texts (what csat-components.js carries). */
export const COMPONENT_TEXTS: Record<Language, Omit<Catalogue, 'insights'>> = {
  en: {
    prompt: {
      heading: 'How did we do?',
      intro: 'Your feedback helps us improve the support we provide.',
      ratingLabel: 'Your rating',
      star: '{rating} out of {max} stars',
      commentLabel: 'Add a comment (optional)',
      commentPlaceholder: 'What went well? What could we do better?',
      counter: '{count} / {max}',
      tooLong: 'Please shorten your comment to {max} characters ({over} too many).',
      submit: 'Submit',
      submitting: 'Sending…',
      thanks: 'Thanks for your feedback!',
      yourRating: 'Your rating: {rating} out of {max} stars',
      ...enErrors,
    },
    card: { heading: 'Customer feedback', stars: '{rating} out of {max} stars', rated: 'rated {time}', ...enErrors },
    chip: { chip: '{rating}', tooltip: 'Customer rating: {rating} / {max}' },
  },
  de: {
    prompt: {
      heading: 'Wie war unser Service?',
      intro: 'Ihr Feedback hilft uns, unseren Support zu verbessern.',
      ratingLabel: 'Ihre Bewertung',
      star: '{rating} von {max} Sternen',
      commentLabel: 'Kommentar hinzufügen (optional)',
      commentPlaceholder: 'Was lief gut? Was können wir besser machen?',
      counter: '{count} / {max}',
      tooLong: 'Bitte kürzen Sie Ihren Kommentar auf {max} Zeichen ({over} zu viel).',
      submit: 'Senden',
      submitting: 'Wird gesendet…',
      thanks: 'Danke für Ihr Feedback!',
      yourRating: 'Ihre Bewertung: {rating} von {max} Sternen',
      ...deErrors,
    },
    card: { heading: 'Kundenfeedback', stars: '{rating} von {max} Sternen', rated: 'bewertet {time}', ...deErrors },
    chip: { chip: '{rating}', tooltip: 'Kundenbewertung: {rating} / {max}' },
  },
  fr: {
    prompt: {
      heading: 'Êtes-vous satisfait de notre aide\u202f?',
      intro: 'Votre avis nous aide à améliorer notre support.',
      ratingLabel: 'Votre note',
      star: '{rating} étoiles sur {max}',
      commentLabel: 'Ajouter un commentaire (facultatif)',
      commentPlaceholder: 'Qu’est-ce qui s’est bien passé\u202f? Que pourrions-nous améliorer\u202f?',
      counter: '{count} / {max}',
      tooLong: 'Veuillez raccourcir votre commentaire à {max} caractères ({over} de trop).',
      submit: 'Envoyer',
      submitting: 'Envoi en cours…',
      thanks: 'Merci pour votre avis\u202f!',
      yourRating: 'Votre note\u00a0: {rating} étoiles sur {max}',
      ...frErrors,
    },
    card: { heading: 'Avis du client', stars: '{rating} étoiles sur {max}', rated: 'noté {time}', ...frErrors },
    chip: { chip: '{rating}', tooltip: 'Note du client\u00a0: {rating} / {max}' },
  },
  es: {
    prompt: {
      heading: '¿Qué tal lo hicimos?',
      intro: 'Tu opinión nos ayuda a mejorar nuestro soporte.',
      ratingLabel: 'Tu valoración',
      star: '{rating} de {max} estrellas',
      commentLabel: 'Añade un comentario (opcional)',
      commentPlaceholder: '¿Qué salió bien? ¿Qué podríamos mejorar?',
      counter: '{count} / {max}',
      tooLong: 'Acorta tu comentario a {max} caracteres ({over} de más).',
      submit: 'Enviar',
      submitting: 'Enviando…',
      thanks: '¡Gracias por tu opinión!',
      yourRating: 'Tu valoración: {rating} de {max} estrellas',
      ...esErrors,
    },
    card: { heading: 'Opinión del cliente', stars: '{rating} de {max} estrellas', rated: 'valorado {time}', ...esErrors },
    chip: { chip: '{rating}', tooltip: 'Valoración del cliente: {rating} / {max}' },
  },
};

/** The dashboard's texts (only csat-insights.js carries them). */
// In a pure function: a bundle without the dashboard drops it (esbuild keeps a top-level literal with spreads).
export const INSIGHTS_TEXTS: Record<Language, InsightsStrings> = /* @__PURE__ */ (() => ({
  en: {
    heading: 'Customer satisfaction',
    periodLabel: 'Period',
    last7: 'Last 7 days',
    last30: 'Last 30 days',
    last90: 'Last 90 days',
    thisYear: 'This year',
    custom: 'Custom range',
    from: 'From',
    to: 'To',
    apply: 'Apply',
    agentFilter: 'Only {agent}',
    allAgents: 'Show all agents',
    loading: 'Loading the ratings…',
    empty: 'No ratings in this period yet.',
    forbidden: 'Satisfaction reports are for agents and admins.',
    unauthenticated: 'Sign in as an agent or admin to see the satisfaction reports.',
    tileCsat: 'CSAT (4-5 stars)',
    tileAverage: 'Average rating',
    tileResponse: 'Response rate',
    tileCount: 'Ratings',
    interval: '95 % interval {low}–{high}',
    change: '{delta} against the previous period',
    significant: 'a real change',
    notSignificant: 'within the noise',
    noPrevious: 'No ratings in the previous period',
    distributionHeading: 'Ratings by stars',
    distributionRow: '{rating} stars: {count} ({share})',
    trendHeading: 'CSAT over time',
    trendBand: 'The band is the 95 % interval.',
    point: '{period}: CSAT {csat} ({low}–{high}), average {average}, {count} ratings',
    pointEmpty: '{period}: no ratings',
    weekOf: 'Week of {date}',
    tableCaption: 'CSAT over time, as a table',
    colPeriod: 'Period',
    colCsat: 'CSAT',
    colInterval: '95 % interval',
    colAverage: 'Average',
    colCount: 'Ratings',
    rankingHeading: 'Agents',
    rankingHint: 'Ranked by the lower end of their CSAT interval, so a few lucky ratings do not top the list.',
    notEnough: 'not enough ratings yet ({count} of {min})',
    rank: 'No. {rank}',
    ratingsCount: '{count} ratings',
    unassigned: 'Unassigned',
    agent: 'Agent {id}',
    showOnly: 'Show only {agent}',
    unhappyHeading: 'Unhappy and vocal',
    unhappyEmpty: 'No 1-2 star ratings with a comment in this period.',
    stars: '{rating} out of {max} stars',
    openTicket: 'Open the ticket',
    none: '–',
    ...enErrors,
  },
  de: {
    heading: 'Kundenzufriedenheit',
    periodLabel: 'Zeitraum',
    last7: 'Letzte 7 Tage',
    last30: 'Letzte 30 Tage',
    last90: 'Letzte 90 Tage',
    thisYear: 'Dieses Jahr',
    custom: 'Eigener Zeitraum',
    from: 'Von',
    to: 'Bis',
    apply: 'Anwenden',
    agentFilter: 'Nur {agent}',
    allAgents: 'Alle Mitarbeitenden zeigen',
    loading: 'Bewertungen werden geladen…',
    empty: 'In diesem Zeitraum gibt es noch keine Bewertungen.',
    forbidden: 'Die Zufriedenheitsberichte sind für Mitarbeitende und Admins.',
    unauthenticated: 'Melden Sie sich als Mitarbeitende oder Admin an, um die Zufriedenheitsberichte zu sehen.',
    tileCsat: 'CSAT (4-5 Sterne)',
    tileAverage: 'Durchschnittsbewertung',
    tileResponse: 'Antwortquote',
    tileCount: 'Bewertungen',
    interval: '95-%-Intervall {low}–{high}',
    change: '{delta} gegenüber dem Vorzeitraum',
    significant: 'eine echte Veränderung',
    notSignificant: 'im Rahmen des Zufalls',
    noPrevious: 'Keine Bewertungen im Vorzeitraum',
    distributionHeading: 'Bewertungen nach Sternen',
    distributionRow: '{rating} Sterne: {count} ({share})',
    trendHeading: 'CSAT im Zeitverlauf',
    trendBand: 'Das Band ist das 95-%-Intervall.',
    point: '{period}: CSAT {csat} ({low}–{high}), Durchschnitt {average}, {count} Bewertungen',
    pointEmpty: '{period}: keine Bewertungen',
    weekOf: 'Woche ab {date}',
    tableCaption: 'CSAT im Zeitverlauf als Tabelle',
    colPeriod: 'Zeitraum',
    colCsat: 'CSAT',
    colInterval: '95-%-Intervall',
    colAverage: 'Durchschnitt',
    colCount: 'Bewertungen',
    rankingHeading: 'Mitarbeitende',
    rankingHint: 'Sortiert nach dem unteren Ende des CSAT-Intervalls, damit wenige Glückstreffer nicht oben landen.',
    notEnough: 'noch zu wenige Bewertungen ({count} von {min})',
    rank: 'Platz {rank}',
    ratingsCount: '{count} Bewertungen',
    unassigned: 'Nicht zugewiesen',
    agent: 'Mitarbeiter:in {id}',
    showOnly: 'Nur {agent} zeigen',
    unhappyHeading: 'Unzufrieden und deutlich',
    unhappyEmpty: 'Keine Bewertungen mit 1-2 Sternen und Kommentar in diesem Zeitraum.',
    stars: '{rating} von {max} Sternen',
    openTicket: 'Ticket öffnen',
    none: '–',
    ...deErrors,
  },
  fr: {
    heading: 'Satisfaction client',
    periodLabel: 'Période',
    last7: '7 derniers jours',
    last30: '30 derniers jours',
    last90: '90 derniers jours',
    thisYear: 'Cette année',
    custom: 'Période personnalisée',
    from: 'Du',
    to: 'Au',
    apply: 'Appliquer',
    agentFilter: 'Seulement {agent}',
    allAgents: 'Voir tous les agents',
    loading: 'Chargement des notes…',
    empty: 'Aucune note pour cette période pour l’instant.',
    forbidden: 'Les rapports de satisfaction sont réservés aux agents et aux administrateurs.',
    unauthenticated: 'Connectez-vous en tant qu’agent ou administrateur pour voir les rapports de satisfaction.',
    tileCsat: 'CSAT (4-5 étoiles)',
    tileAverage: 'Note moyenne',
    tileResponse: 'Taux de réponse',
    tileCount: 'Notes',
    interval: 'intervalle à 95\u00a0% {low}–{high}',
    change: '{delta} par rapport à la période précédente',
    significant: 'un vrai changement',
    notSignificant: 'dans la marge du hasard',
    noPrevious: 'Aucune note pendant la période précédente',
    distributionHeading: 'Notes par étoiles',
    distributionRow: '{rating} étoiles\u00a0: {count} ({share})',
    trendHeading: 'Évolution du CSAT',
    trendBand: 'La bande est l’intervalle à 95\u00a0%.',
    point: '{period}\u00a0: CSAT {csat} ({low}–{high}), moyenne {average}, {count} notes',
    pointEmpty: '{period}\u00a0: aucune note',
    weekOf: 'Semaine du {date}',
    tableCaption: 'Évolution du CSAT sous forme de tableau',
    colPeriod: 'Période',
    colCsat: 'CSAT',
    colInterval: 'Intervalle à 95\u00a0%',
    colAverage: 'Moyenne',
    colCount: 'Notes',
    rankingHeading: 'Agents',
    rankingHint: 'Classés par la borne basse de leur intervalle CSAT\u00a0: quelques notes chanceuses ne suffisent pas pour être en tête.',
    notEnough: 'pas encore assez de notes ({count} sur {min})',
    rank: 'N°\u00a0{rank}',
    ratingsCount: '{count} notes',
    unassigned: 'Non attribué',
    agent: 'Agent {id}',
    showOnly: 'Voir seulement {agent}',
    unhappyHeading: 'Mécontents et explicites',
    unhappyEmpty: 'Aucune note de 1 ou 2 étoiles avec commentaire pendant cette période.',
    stars: '{rating} étoiles sur {max}',
    openTicket: 'Ouvrir le ticket',
    none: '–',
    ...frErrors,
  },
  es: {
    heading: 'Satisfacción del cliente',
    periodLabel: 'Periodo',
    last7: 'Últimos 7 días',
    last30: 'Últimos 30 días',
    last90: 'Últimos 90 días',
    thisYear: 'Este año',
    custom: 'Periodo personalizado',
    from: 'Desde',
    to: 'Hasta',
    apply: 'Aplicar',
    agentFilter: 'Solo {agent}',
    allAgents: 'Ver todos los agentes',
    loading: 'Cargando las valoraciones…',
    empty: 'Todavía no hay valoraciones en este periodo.',
    forbidden: 'Los informes de satisfacción son para agentes y administradores.',
    unauthenticated: 'Inicia sesión como agente o administrador para ver los informes de satisfacción.',
    tileCsat: 'CSAT (4-5 estrellas)',
    tileAverage: 'Valoración media',
    tileResponse: 'Tasa de respuesta',
    tileCount: 'Valoraciones',
    interval: 'intervalo del 95 % {low}–{high}',
    change: '{delta} frente al periodo anterior',
    significant: 'un cambio real',
    notSignificant: 'dentro del azar',
    noPrevious: 'Sin valoraciones en el periodo anterior',
    distributionHeading: 'Valoraciones por estrellas',
    distributionRow: '{rating} estrellas: {count} ({share})',
    trendHeading: 'CSAT a lo largo del tiempo',
    trendBand: 'La banda es el intervalo del 95 %.',
    point: '{period}: CSAT {csat} ({low}–{high}), media {average}, {count} valoraciones',
    pointEmpty: '{period}: sin valoraciones',
    weekOf: 'Semana del {date}',
    tableCaption: 'CSAT a lo largo del tiempo, en una tabla',
    colPeriod: 'Periodo',
    colCsat: 'CSAT',
    colInterval: 'Intervalo del 95 %',
    colAverage: 'Media',
    colCount: 'Valoraciones',
    rankingHeading: 'Agentes',
    rankingHint: 'Ordenados por el extremo inferior de su intervalo de CSAT, para que unas pocas valoraciones afortunadas no encabecen la lista.',
    notEnough: 'aún no hay suficientes valoraciones ({count} de {min})',
    rank: 'N.º {rank}',
    ratingsCount: '{count} valoraciones',
    unassigned: 'Sin asignar',
    agent: 'Agente {id}',
    showOnly: 'Ver solo a {agent}',
    unhappyHeading: 'Descontentos y explícitos',
    unhappyEmpty: 'No hay valoraciones de 1-2 estrellas con comentario en este periodo.',
    stars: '{rating} de {max} estrellas',
    openTicket: 'Abrir el ticket',
    none: '–',
    ...esErrors,
  },
}))();

/** Every text of every component, by language. */
export const CATALOGUES: Record<Language, Catalogue> = /* @__PURE__ */ (() =>
  Object.fromEntries(LANGUAGES.map((l) => [l, { ...COMPONENT_TEXTS[l], insights: INSIGHTS_TEXTS[l] }])) as Record<Language, Catalogue>)();

/** The language of a BCP 47 tag (de-CH: German); English for anything else or nothing. */
export function languageOf(lang: string | null | undefined): Language {
  const primary = (lang ?? '').toLowerCase().split(/[-_]/)[0]!;
  return (LANGUAGES as readonly string[]).includes(primary) ? (primary as Language) : 'en';
}

/** Every text for a language tag. */
export function catalogueFor(lang: string | null | undefined): Catalogue {
  return CATALOGUES[languageOf(lang)];
}

/**
 * The rating link's page and the resolution email's fragment (server-rendered: src/rating-links). The page's prompt
 * itself uses the prompt's texts above; these are the rest. Kept out of CATALOGUES: no web component carries them.
 */
export interface RatingLinkStrings {
  /** The page's <title> and the email fragment's plain-text heading line. */
  pageTitle: string;
  /** Under the stars in the email: what a star link does. */
  emailHint: string;
  /** A star link's text in the plain-text email: {rating}, {max}, {url}. */
  emailStarLine: string;
  /** The link to the page without a star chosen. */
  emailOpenPage: string;
  /** {date}. */
  emailExpires: string;
  /** The page when no star was chosen and Submit was pressed. */
  chooseRating: string;
  expiredHeading: string;
  expiredBody: string;
  invalidHeading: string;
  invalidBody: string;
  requesterChangedHeading: string;
  requesterChangedBody: string;
  notFoundHeading: string;
  notFoundBody: string;
  notResolvedHeading: string;
  disabledHeading: string;
  tooManyHeading: string;
  tooManyBody: string;
  /** A POST from another site's page. */
  crossSiteHeading: string;
  crossSiteBody: string;
  errorHeading: string;
  /** Shown with the stored rating when the ticket had been rated already. */
  alreadyRated: string;
}

export const RATING_LINK_TEXTS: Record<Language, RatingLinkStrings> = /* @__PURE__ */ (() => ({
  en: {
    pageTitle: 'Rate our support',
    emailHint: 'Choose a star: a page opens where you can add a comment and confirm with one click.',
    emailStarLine: '{rating} out of {max} stars: {url}',
    emailOpenPage: 'Open the rating page',
    emailExpires: 'These links work until {date}.',
    chooseRating: 'Please choose a rating.',
    expiredHeading: 'This link has expired',
    expiredBody: 'Rating links work for a limited time. Thank you for thinking of us all the same.',
    invalidHeading: 'This link is not valid',
    invalidBody: 'Please open the link exactly as it is in the email. If it still does not work, reply to the email.',
    requesterChangedHeading: 'This link is no longer yours to use',
    requesterChangedBody: 'The ticket has been handed to another contact since the email was sent, so this link no longer works.',
    notFoundHeading: 'This ticket cannot be rated here',
    notFoundBody: 'We could not find the ticket of this link. If you think this is wrong, reply to the email.',
    notResolvedHeading: 'This ticket is open again',
    disabledHeading: 'Feedback is turned off',
    tooManyHeading: 'Too many attempts',
    tooManyBody: 'Please wait a minute, then reload the page.',
    crossSiteHeading: 'This form was sent from another site',
    crossSiteBody: 'Please open the link from the email and rate on this page.',
    errorHeading: 'Something went wrong',
    alreadyRated: 'This ticket has been rated already. Your rating:',
  },
  de: {
    pageTitle: 'Bewerten Sie unseren Support',
    emailHint: 'Wählen Sie einen Stern: Es öffnet sich eine Seite, auf der Sie einen Kommentar hinzufügen und mit einem Klick bestätigen.',
    emailStarLine: '{rating} von {max} Sternen: {url}',
    emailOpenPage: 'Bewertungsseite öffnen',
    emailExpires: 'Diese Links sind bis {date} gültig.',
    chooseRating: 'Bitte wählen Sie eine Bewertung.',
    expiredHeading: 'Dieser Link ist abgelaufen',
    expiredBody: 'Bewertungslinks gelten nur eine begrenzte Zeit. Danke, dass Sie trotzdem an uns gedacht haben.',
    invalidHeading: 'Dieser Link ist ungültig',
    invalidBody: 'Bitte öffnen Sie den Link genau so, wie er in der E-Mail steht. Falls er weiterhin nicht funktioniert, antworten Sie auf die E-Mail.',
    requesterChangedHeading: 'Dieser Link gilt nicht mehr für Sie',
    requesterChangedBody: 'Das Ticket wurde seit dem Versand der E-Mail einem anderen Kontakt zugeordnet, daher funktioniert dieser Link nicht mehr.',
    notFoundHeading: 'Dieses Ticket kann hier nicht bewertet werden',
    notFoundBody: 'Wir konnten das Ticket zu diesem Link nicht finden. Wenn Sie das für einen Fehler halten, antworten Sie auf die E-Mail.',
    notResolvedHeading: 'Dieses Ticket ist wieder offen',
    disabledHeading: 'Feedback ist ausgeschaltet',
    tooManyHeading: 'Zu viele Versuche',
    tooManyBody: 'Bitte warten Sie eine Minute und laden Sie die Seite dann neu.',
    crossSiteHeading: 'Dieses Formular wurde von einer anderen Website gesendet',
    crossSiteBody: 'Bitte öffnen Sie den Link aus der E-Mail und bewerten Sie auf dieser Seite.',
    errorHeading: 'Etwas ist schiefgelaufen',
    alreadyRated: 'Dieses Ticket wurde bereits bewertet. Ihre Bewertung:',
  },
  fr: {
    pageTitle: 'Évaluez notre support',
    emailHint: 'Choisissez une étoile\u00a0: une page s’ouvre où vous pouvez ajouter un commentaire et confirmer en un clic.',
    emailStarLine: '{rating} étoiles sur {max}\u00a0: {url}',
    emailOpenPage: 'Ouvrir la page d’évaluation',
    emailExpires: 'Ces liens sont valables jusqu’au {date}.',
    chooseRating: 'Veuillez choisir une note.',
    expiredHeading: 'Ce lien a expiré',
    expiredBody: 'Les liens d’évaluation sont valables pour une durée limitée. Merci d’avoir pensé à nous malgré tout.',
    invalidHeading: 'Ce lien n’est pas valide',
    invalidBody: 'Veuillez ouvrir le lien exactement tel qu’il figure dans l’e-mail. S’il ne fonctionne toujours pas, répondez à l’e-mail.',
    requesterChangedHeading: 'Ce lien ne vous est plus destiné',
    requesterChangedBody: 'Le ticket a été attribué à un autre contact depuis l’envoi de l’e-mail\u00a0: ce lien ne fonctionne plus.',
    notFoundHeading: 'Ce ticket ne peut pas être évalué ici',
    notFoundBody: 'Nous n’avons pas trouvé le ticket de ce lien. Si vous pensez qu’il s’agit d’une erreur, répondez à l’e-mail.',
    notResolvedHeading: 'Ce ticket a été rouvert',
    disabledHeading: 'Les avis sont désactivés',
    tooManyHeading: 'Trop de tentatives',
    tooManyBody: 'Veuillez patienter une minute, puis recharger la page.',
    crossSiteHeading: 'Ce formulaire a été envoyé depuis un autre site',
    crossSiteBody: 'Veuillez ouvrir le lien de l’e-mail et donner votre note sur cette page.',
    errorHeading: 'Une erreur s’est produite',
    alreadyRated: 'Ce ticket a déjà été évalué. Votre note\u00a0:',
  },
  es: {
    pageTitle: 'Valora nuestro soporte',
    emailHint: 'Elige una estrella: se abrirá una página donde puedes añadir un comentario y confirmar con un clic.',
    emailStarLine: '{rating} de {max} estrellas: {url}',
    emailOpenPage: 'Abrir la página de valoración',
    emailExpires: 'Estos enlaces funcionan hasta el {date}.',
    chooseRating: 'Elige una valoración.',
    expiredHeading: 'Este enlace ha caducado',
    expiredBody: 'Los enlaces de valoración funcionan durante un tiempo limitado. Gracias por acordarte de nosotros igualmente.',
    invalidHeading: 'Este enlace no es válido',
    invalidBody: 'Abre el enlace exactamente como aparece en el correo. Si sigue sin funcionar, responde al correo.',
    requesterChangedHeading: 'Este enlace ya no es para ti',
    requesterChangedBody: 'El ticket se ha asignado a otro contacto desde que se envió el correo, así que este enlace ya no funciona.',
    notFoundHeading: 'Este ticket no se puede valorar aquí',
    notFoundBody: 'No encontramos el ticket de este enlace. Si crees que es un error, responde al correo.',
    notResolvedHeading: 'Este ticket se ha vuelto a abrir',
    disabledHeading: 'Las valoraciones están desactivadas',
    tooManyHeading: 'Demasiados intentos',
    tooManyBody: 'Espera un minuto y vuelve a cargar la página.',
    crossSiteHeading: 'Este formulario se envió desde otro sitio',
    crossSiteBody: 'Abre el enlace del correo y valora en esta página.',
    errorHeading: 'Algo salió mal',
    alreadyRated: 'Este ticket ya se ha valorado. Tu valoración:',
  },
}))();

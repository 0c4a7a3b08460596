// The follow-up queue's texts (<csat-follow-ups>, a part of <csat-insights>) in every language of catalogue.ts.
// Kept here, beside the queue, so the dashboard's catalogue stays as it is; `strings` replaces any of them.
import type { Language } from './catalogue.js';

export interface FollowUpStrings {
  heading: string;
  /** `{count}`: OPEN and CONTACTED follow-ups in all. */
  summary: string;
  loading: string;
  empty: string;
  /** `{count}`: how many the list leaves out. */
  more: string;
  OPEN: string;
  CONTACTED: string;
  DONE: string;
  owner: string;
  nobody: string;
  /** `{age}`: "3 days ago". */
  opened: string;
  /** `{n}`: the stars. */
  stars: string;
  assignToMe: string;
  markContacted: string;
  markDone: string;
  note: string;
  save: string;
  cancel: string;
  /** `{ticket}`: the ticket id's first characters. */
  ticket: string;
  error: string;
  retry: string;
  done: string;
}

export const FOLLOW_UP_TEXTS: Record<Language, FollowUpStrings> = {
  en: {
    heading: 'Follow-ups',
    summary: '{count} to follow up',
    loading: 'Loading the follow-ups…',
    empty: 'No follow-ups waiting. Well done.',
    more: 'and {count} more',
    OPEN: 'Open',
    CONTACTED: 'Contacted',
    DONE: 'Done',
    owner: 'Owner',
    nobody: 'nobody yet',
    opened: 'opened {age}',
    stars: '{n} of 5 stars',
    assignToMe: 'Assign to me',
    markContacted: 'Mark contacted',
    markDone: 'Mark done…',
    note: 'Note (what was agreed)',
    save: 'Mark done',
    cancel: 'Cancel',
    ticket: 'Ticket {ticket}',
    error: 'The follow-ups could not be loaded or changed.',
    retry: 'Try again',
    done: 'Marked done.',
  },
  de: {
    heading: 'Nachfassen',
    summary: '{count} offen zum Nachfassen',
    loading: 'Nachfass-Liste wird geladen…',
    empty: 'Nichts wartet auf Nachfassen. Gut gemacht.',
    more: 'und {count} weitere',
    OPEN: 'Offen',
    CONTACTED: 'Kontaktiert',
    DONE: 'Erledigt',
    owner: 'Zuständig',
    nobody: 'noch niemand',
    opened: 'geöffnet {age}',
    stars: '{n} von 5 Sternen',
    assignToMe: 'Mir zuweisen',
    markContacted: 'Als kontaktiert markieren',
    markDone: 'Als erledigt markieren…',
    note: 'Notiz (was vereinbart wurde)',
    save: 'Erledigt',
    cancel: 'Abbrechen',
    ticket: 'Ticket-Nr. {ticket}',
    error: 'Die Nachfass-Liste konnte nicht geladen oder geändert werden.',
    retry: 'Erneut versuchen',
    done: 'Als erledigt markiert.',
  },
  fr: {
    heading: 'Relances',
    summary: '{count} à relancer',
    loading: 'Chargement des relances…',
    empty: 'Aucune relance en attente. Bravo.',
    more: 'et {count} de plus',
    OPEN: 'Ouverte',
    CONTACTED: 'Client contacté',
    DONE: 'Terminée',
    owner: 'Responsable',
    nobody: 'personne pour l’instant',
    opened: 'ouverte {age}',
    stars: '{n} étoiles sur 5',
    assignToMe: 'Me l’attribuer',
    markContacted: 'Marquer comme contacté',
    markDone: 'Marquer comme terminée…',
    note: 'Note (ce qui a été convenu)',
    save: 'Terminer',
    cancel: 'Annuler',
    ticket: 'Demande {ticket}',
    error: 'Impossible de charger ou de modifier les relances.',
    retry: 'Réessayer',
    done: 'Marquée comme terminée.',
  },
  es: {
    heading: 'Seguimientos',
    summary: '{count} por seguir',
    loading: 'Cargando los seguimientos…',
    empty: 'No hay seguimientos pendientes. Bien hecho.',
    more: 'y {count} más',
    OPEN: 'Abierto',
    CONTACTED: 'Contactado',
    DONE: 'Hecho',
    owner: 'Responsable',
    nobody: 'nadie todavía',
    opened: 'abierto {age}',
    stars: '{n} de 5 estrellas',
    assignToMe: 'Asignármelo',
    markContacted: 'Marcar como contactado',
    markDone: 'Marcar como hecho…',
    note: 'Nota (lo acordado)',
    save: 'Marcar hecho',
    cancel: 'Cancelar',
    ticket: 'Solicitud {ticket}',
    error: 'No se pudieron cargar ni cambiar los seguimientos.',
    retry: 'Reintentar',
    done: 'Marcado como hecho.',
  },
};

import type { MessageKey } from './en.js';

/** French. Typography: a no-break space (U+00A0) before « ? ! : » and inside guillemets. */
export const fr: Readonly<Record<MessageKey, string>> = {
  'page.reference': 'Si vous contactez l’assistance, indiquez cette référence : {reference}',
  'page.support': 'Besoin d’aide ? Contactez {contact}.',
  'page.backToWallet': 'Retournez dans votre portefeuille et recommencez à partir de là.',
  'page.tryAgain': 'Réessayer',
  'page.continue': 'Continuer',

  'arrival.missing.title': 'Ouvrez cette page depuis votre portefeuille',
  'arrival.missing.body':
    'Cette page fait partie de l’ajout d’une attestation à votre portefeuille et ne peut être ouverte que depuis celui-ci.',
  'arrival.expired.title': 'Ce lien a expiré',
  'arrival.expired.body':
    'Le lien venant de votre portefeuille n’est valable que peu de temps, et il a expiré avant de nous parvenir.',
  'arrival.invalid.title': 'Nous n’avons pas pu vérifier ce lien',
  'arrival.invalid.body':
    'Le lien qui vous a conduit ici ne présente pas les garanties nécessaires : nous nous sommes arrêtés là pour votre sécurité.',
  'arrival.used.title': 'Ce lien a déjà été utilisé',
  'arrival.used.body':
    'Chaque lien venant de votre portefeuille ne sert qu’une fois. Si vous avez déjà terminé, votre portefeuille dispose de ce qu’il lui faut.',

  'interaction.notFound.title': 'Nous ne trouvons pas cette étape',
  'interaction.notFound.body':
    'Cette page appartient à un autre navigateur ou a été effacée. Elle a peut-être été ouverte dans une autre application.',
  'interaction.expired.title': 'Le délai est dépassé',
  'interaction.expired.body':
    'Pour votre sécurité, chaque tentative est limitée dans le temps, et ce délai est écoulé. Rien n’a été délivré.',
  'interaction.finished.title': 'Vous avez terminé ici',
  'interaction.finished.body':
    'Votre portefeuille prend la suite. S’il ne s’est pas ouvert tout seul, utilisez le bouton ci-dessous.',
  'interaction.finished.button': 'Retourner dans votre portefeuille',
  'interaction.tooManyCodes.title': 'Plus aucun essai',
  'interaction.tooManyCodes.body':
    'Ce code n’est pas le bon, et c’était le dernier essai : trop de codes erronés ont été saisis. Aucune attestation ne sera délivrée.',
  'interaction.tooManyCodes.next':
    'Votre portefeuille indiquera que {issuer} ne l’a pas délivrée. Pour réessayer, recommencez depuis votre portefeuille.',
  'interaction.completed.title': 'Déjà terminé',
  'interaction.completed.body': 'Vous avez déjà terminé ici. Retournez dans votre portefeuille pour voir le résultat.',
  'interaction.completed.next': 'Vous pouvez fermer cette page.',
  'interaction.declined.title': 'Vous avez refusé',
  'interaction.declined.body': 'Vous avez choisi de ne pas continuer : rien n’a été délivré.',

  'interaction.failed.title': 'Nous n’avons pas pu confirmer votre identité',
  'interaction.failed.body': 'Une vérification de cette étape n’a pas abouti, rien n’a donc été délivré.',
  'return.unmatched.title': 'Cette réponse n’est pas pour ce navigateur',
  'return.unmatched.body':
    'Cette réponse de connexion n’appartient à aucun parcours de ce navigateur : rien n’a changé. Si vous êtes en train de vous connecter, terminez là-bas, ou revenez à la page d’où vous veniez.',
  'step.unavailable.title': 'Veuillez réessayer',
  'step.unavailable.body':
    'Un service nécessaire à cette étape ne répond pas pour le moment. Rien n’a été utilisé : réessayez dans un instant.',
  'proxy.notHttps.title': 'Ce service n’est pas correctement configuré',
  'proxy.notHttps.body':
    'Nous n’avons pas pu ouvrir une session sécurisée ici, nous nous sommes donc arrêtés avant d’utiliser votre lien. Il fonctionnera une fois le service réparé ; contactez l’émetteur si cela persiste.',

  'form.expired.title': 'Ce formulaire a expiré',
  'form.expired.body':
    'Nous n’avons pas pu confirmer que ce formulaire venait de cette page. Revenez en arrière, rechargez la page et réessayez.',
  'arrival.unavailable.title': 'Veuillez réessayer',
  'arrival.unavailable.body':
    'Nous n’avons pas pu commencer pour le moment. Rechargez cette page dans un instant : votre lien est toujours valable.',
  'arrival.tooMany.title': 'Trop de tentatives',
  'arrival.tooMany.body':
    'Nous avons reçu trop de tentatives depuis votre réseau au cours de la dernière minute. Attendez une minute, puis rechargez cette page.',
  'request.tooLong.title': 'Ce lien est trop long',
  'request.tooLong.body':
    'L’adresse qui vous a mené ici est plus longue que toutes celles que nous envoyons ou acceptons, nous ne l’avons donc pas ouverte.',
  'server.unreachable.title': 'Veuillez réessayer dans un instant',
  'server.unreachable.body':
    'Nous ne pouvons pas accéder à nos registres pour le moment, nous ne pouvons donc pas continuer. Rien n’a été délivré. Rechargez cette page dans un instant.',
  'form.replaced.title': 'Cette page a expiré',
  'form.replaced.body':
    'Vous avez recommencé depuis votre portefeuille, peut-être dans un autre onglet ou une autre fenêtre : cette page ne fonctionne plus. Continuez avec la plus récente.',
  'form.ended.body':
    'Vous avez recommencé depuis votre portefeuille, peut-être dans un autre onglet ou une autre fenêtre : cette page ne fonctionne plus.',
  'request.invalid.title': 'Cette demande comportait une erreur',
  'request.invalid.body': 'Nous n’avons pas compris ce que votre navigateur a envoyé.',
  'page.notFound.title': 'Page introuvable',
  'page.notFound.body': 'Il n’y a rien à cette adresse.',
  'server.error.title': 'Un problème est survenu de notre côté',
  'server.error.body': 'Rien n’a été délivré. Veuillez réessayer dans un instant.',
  'server.unavailable.title': 'Veuillez réessayer',
  'server.unavailable.body':
    'Nous n’avons pas pu enregistrer votre réponse pour le moment, c’est pourquoi nous ne vous avons pas encore renvoyé vers votre portefeuille. Réessayez dans un instant.',

  'step.progress': 'Étape {current} sur {total}',
  'step.whose': 'Attestation pour {who}',
  'step.finish': 'Terminer et revenir à votre portefeuille',
  'step.errorSummary': 'Un problème est survenu',

  'language.label': 'Langue',
  'language.name': 'Français',
};

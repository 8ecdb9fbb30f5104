// The CRCN framework (same as chalicelib/domain/framework.py; a unit test checks it).
export const AREAS = {
  1: 'Informations et données',
  2: 'Communication et collaboration',
  3: 'Création de contenu',
  4: 'Protection et sécurité',
  5: 'Environnement numérique',
};

export const COMPETENCES = {
  '1.1': 'Mener une recherche et une veille d\u2019information',
  '1.2': 'Gérer des données',
  '1.3': 'Traiter des données',
  '2.1': 'Interagir',
  '2.2': 'Partager et publier',
  '2.3': 'Collaborer',
  '2.4': 'S\u2019insérer dans le monde numérique',
  '3.1': 'Développer des documents textuels',
  '3.2': 'Développer des documents multimédia',
  '3.3': 'Adapter les documents à leur finalité',
  '3.4': 'Programmer',
  '4.1': 'Sécuriser l\u2019environnement numérique',
  '4.2': 'Protéger les données personnelles et la vie privée',
  '4.3': 'Protéger la santé, le bien-être et l\u2019environnement',
  '5.1': 'Résoudre des problèmes techniques',
  '5.2': 'Construire un environnement numérique',
};

% rebase('layout')
<h1>What our customers say</h1>
% if summary.count:
<p class="lead"><span class="stars" aria-hidden="true">★</span> {{summary.average}} of 5 from {{summary.count}} review{{'s' if summary.count != 1 else ''}}</p>
<ul class="cards">
% for r in reviews:
  <li class="card">
    <p><span class="stars" aria-hidden="true">{{'★' * r.rating}}{{'☆' * (5 - r.rating)}}</span> <span class="sr-only">{{r.rating}} of 5 stars</span></p>
% if r.comment:
    <p>{{r.comment}}</p>
% end
    <p class="meta">{{r.public_name}} · {{local(r.created_at, '%B %Y')}}</p>
% if r.reply:
    <p class="meta"><strong>Our answer:</strong> {{r.reply}}</p>
% end
  </li>
% end
</ul>
% else:
<p>No reviews yet.</p>
% end
